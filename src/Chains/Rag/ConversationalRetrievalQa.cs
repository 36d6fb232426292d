using System.Runtime.CompilerServices;
using Chains.Parsing;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Rag;

/// <summary>
/// Conversational retrieval QA: condenses the chat history and the follow-up question into a standalone question with
/// the model (skipped when the history is empty), then answers it with a question-answering step such as
/// <see cref="RetrievalQa"/>. The condensing call is a child step named <c>CondenseQuestion</c>; the answer's
/// <see cref="RagAnswer.Question"/> is the standalone question.
/// </summary>
/// <remarks>Streaming condenses first, then streams the answering step's snapshots.</remarks>
public sealed class ConversationalRetrievalQa : Runnable<ConversationalQuestion, RagAnswer>
{
    private readonly Runnable<string, RagAnswer> _qa;
    private readonly Runnable<ConversationalQuestion, string> _condense;

    /// <summary>Creates the chain.</summary>
    /// <param name="qa">Answers a standalone question, e.g. a <see cref="RetrievalQa"/>.</param>
    /// <param name="chatClient">The model that condenses the question.</param>
    /// <param name="options">The condensing prompt and chat options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="qa"/> or <paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException">The prompt does not use exactly <c>{question}</c> and the placeholder <c>history</c>.</exception>
    public ConversationalRetrievalQa(Runnable<string, RagAnswer> qa, IChatClient chatClient, ConversationalRetrievalQaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(qa);
        ArgumentNullException.ThrowIfNull(chatClient);
        _qa = qa;
        _condense = (options?.CondensePrompt ?? DefaultCondensePrompt).AsRunnable<ConversationalQuestion>()
            .Pipe(chatClient.AsRunnable(options?.ChatOptions))
            .Pipe(new StringOutputParser())
            .WithName("CondenseQuestion");
    }

    /// <summary>Gets the default condensing prompt: rewrite the follow-up as a question understandable without the
    /// conversation, in the follow-up's language, and reply with the question only.</summary>
    public static ChatPromptTemplate DefaultCondensePrompt { get; } = new(
        ChatMessageTemplate.System(
            "Given the conversation and a follow-up question, rewrite the follow-up question as a standalone question that can be " +
            "understood without the conversation. Keep the language of the follow-up question. Do not answer it; reply with the question only."),
        ChatMessageTemplate.Placeholder("history"),
        ChatMessageTemplate.User("Follow-up question: {question}"));

    /// <inheritdoc />
    public override string Name => nameof(ConversationalRetrievalQa);

    /// <inheritdoc />
    protected internal override async ValueTask<RagAnswer> InvokeCoreAsync(ConversationalQuestion input, RunContext context, CancellationToken cancellationToken)
    {
        var question = await CondenseAsync(input, context, cancellationToken);
        return await context.InvokeAsync(_qa, question, cancellationToken);
    }

    /// <inheritdoc />
    protected internal override async IAsyncEnumerable<RagAnswer> StreamCoreAsync(ConversationalQuestion input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var question = await CondenseAsync(input, context, cancellationToken);
        await foreach (var snapshot in context.StreamAsync(_qa, question, cancellationToken).WithCancellation(cancellationToken))
        {
            yield return snapshot;
        }
    }

    private async ValueTask<string> CondenseAsync(ConversationalQuestion input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(input.Question, nameof(input));
        ArgumentNullException.ThrowIfNull(input.History, nameof(input));
        if (input.History.Count == 0)
        {
            return input.Question;
        }

        var standalone = (await context.InvokeAsync(_condense, input, cancellationToken)).Trim();
        return standalone.Length > 0 ? standalone : input.Question;
    }
}
