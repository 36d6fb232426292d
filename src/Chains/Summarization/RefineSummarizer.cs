using System.Runtime.CompilerServices;
using Chains.Indexes;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Summarization;

/// <summary>
/// Summarizes documents iteratively: summarizes the first, then refines the summary with each following document in
/// order — one model call per document, sequential, so later documents see everything before them.
/// </summary>
/// <remarks>The calls are child steps named <c>Summarize</c> (the first) and <c>Refine</c>. Streaming yields the text
/// deltas of the last call. An empty list gives an empty summary without calling the model.</remarks>
public sealed class RefineSummarizer : Runnable<IReadOnlyList<Document>, string>
{
    private readonly Runnable<SummaryTextInput, string> _initial;
    private readonly Runnable<RefineInput, string> _refine;

    /// <summary>Creates the summarizer.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="options">The prompts and chat options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException">A prompt does not use exactly its variables.</exception>
    public RefineSummarizer(IChatClient chatClient, RefineSummarizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        _initial = SummaryStage.Create<SummaryTextInput>(options?.InitialPrompt ?? StuffSummarizer.DefaultPrompt, chatClient, options?.ChatOptions, "Summarize");
        _refine = SummaryStage.Create<RefineInput>(options?.RefinePrompt ?? DefaultRefinePrompt, chatClient, options?.ChatOptions, "Refine");
    }

    /// <summary>Gets the default refine prompt: extend the existing summary with the new text, keep what is still
    /// accurate, reply with the summary only, in the language of the text.</summary>
    public static ChatPromptTemplate DefaultRefinePrompt { get; } = new(
        ChatMessageTemplate.System(SummaryStage.SystemInstruction),
        ChatMessageTemplate.User(
            "Here is a summary of a text so far:\n\n{existing_summary}\n\n" +
            "Refine it with the following continuation of the text, keeping what is still accurate and adding what is important. " +
            "Reply with the refined summary only.\n\n{text}"));

    /// <inheritdoc />
    protected internal override async ValueTask<string> InvokeCoreAsync(IReadOnlyList<Document> input, RunContext context, CancellationToken cancellationToken)
    {
        SummaryStage.Check(input);
        if (input.Count == 0)
        {
            return string.Empty;
        }

        var summary = await context.InvokeAsync(_initial, new SummaryTextInput(input[0].Content), cancellationToken);
        for (var i = 1; i < input.Count; i++)
        {
            summary = await context.InvokeAsync(_refine, new RefineInput(summary, input[i].Content), cancellationToken);
        }

        return summary;
    }

    /// <inheritdoc />
    protected internal override async IAsyncEnumerable<string> StreamCoreAsync(IReadOnlyList<Document> input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        SummaryStage.Check(input);
        if (input.Count == 0)
        {
            yield break;
        }

        if (input.Count == 1)
        {
            await foreach (var delta in context.StreamAsync(_initial, new SummaryTextInput(input[0].Content), cancellationToken).WithCancellation(cancellationToken))
            {
                yield return delta;
            }

            yield break;
        }

        var summary = await context.InvokeAsync(_initial, new SummaryTextInput(input[0].Content), cancellationToken);
        for (var i = 1; i < input.Count - 1; i++)
        {
            summary = await context.InvokeAsync(_refine, new RefineInput(summary, input[i].Content), cancellationToken);
        }

        await foreach (var delta in context.StreamAsync(_refine, new RefineInput(summary, input[^1].Content), cancellationToken).WithCancellation(cancellationToken))
        {
            yield return delta;
        }
    }
}
