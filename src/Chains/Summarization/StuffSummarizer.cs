using System.Runtime.CompilerServices;
using Chains.Indexes;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Summarization;

/// <summary>
/// Summarizes documents by "stuffing" them all into one prompt: one model call, the best summary when the documents fit
/// the model's context window. For more text use <see cref="MapReduceSummarizer"/> or <see cref="RefineSummarizer"/>.
/// </summary>
/// <remarks>The model call is a child step named <c>Summarize</c>. Streaming yields the summary's text deltas. An empty
/// list gives an empty summary without calling the model.</remarks>
public sealed class StuffSummarizer : Runnable<IReadOnlyList<Document>, string>
{
    private readonly Runnable<SummaryTextInput, string> _summarize;

    /// <summary>Creates the summarizer.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="options">The prompt and chat options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException">The prompt does not use exactly <c>{text}</c>.</exception>
    public StuffSummarizer(IChatClient chatClient, StuffSummarizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        _summarize = SummaryStage.Create<SummaryTextInput>(options?.Prompt ?? DefaultPrompt, chatClient, options?.ChatOptions, "Summarize");
    }

    /// <summary>Gets the default prompt: a concise, faithful summary in the language of the text.</summary>
    public static ChatPromptTemplate DefaultPrompt { get; } = new(
        ChatMessageTemplate.System(SummaryStage.SystemInstruction),
        ChatMessageTemplate.User("Write a concise summary of the following text.\n\n{text}"));

    /// <inheritdoc />
    protected internal override async ValueTask<string> InvokeCoreAsync(IReadOnlyList<Document> input, RunContext context, CancellationToken cancellationToken)
    {
        SummaryStage.Check(input);
        return input.Count == 0 ? string.Empty : await context.InvokeAsync(_summarize, new SummaryTextInput(SummaryStage.Join(input)), cancellationToken);
    }

    /// <inheritdoc />
    protected internal override async IAsyncEnumerable<string> StreamCoreAsync(IReadOnlyList<Document> input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        SummaryStage.Check(input);
        if (input.Count == 0)
        {
            yield break;
        }

        await foreach (var delta in context.StreamAsync(_summarize, new SummaryTextInput(SummaryStage.Join(input)), cancellationToken).WithCancellation(cancellationToken))
        {
            yield return delta;
        }
    }
}
