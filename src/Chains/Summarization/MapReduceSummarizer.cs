using System.Runtime.CompilerServices;
using Chains.Indexes;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Summarization;

/// <summary>
/// Summarizes any amount of text: summarizes each document on its own (map, in parallel up to a concurrency bound), then
/// combines the summaries (reduce); while the summaries are longer than <see cref="MapReduceSummarizerOptions.MaxReduceLength"/>,
/// groups that fit are combined first, round after round, so the final call stays within budget.
/// </summary>
/// <remarks>The calls are child steps named <c>Map</c> and <c>Reduce</c>. Streaming yields the text deltas of the last
/// call. One document costs one call (its map summary is the result); an empty list gives an empty summary without
/// calling the model. Collapsing stops after 8 rounds, or when a round does not shorten the summaries.</remarks>
public sealed class MapReduceSummarizer : Runnable<IReadOnlyList<Document>, string>
{
    private const int MaxCollapseRounds = 8;

    private readonly Runnable<SummaryTextInput, string> _map;
    private readonly Runnable<SummaryTextInput, string> _reduce;
    private readonly int? _maxConcurrency;
    private readonly int _maxReduceLength;

    /// <summary>Creates the summarizer.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="options">Prompts, chat options, concurrency and reduce budget; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MapReduceSummarizerOptions.MaxConcurrency"/> or
    /// <see cref="MapReduceSummarizerOptions.MaxReduceLength"/> is less than 1 (the message names it).</exception>
    /// <exception cref="PromptVariablesException">A prompt does not use exactly <c>{text}</c>.</exception>
    public MapReduceSummarizer(IChatClient chatClient, MapReduceSummarizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        options ??= new MapReduceSummarizerOptions();
        if (options.MaxConcurrency is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxConcurrency, $"MapReduceSummarizerOptions.MaxConcurrency is {options.MaxConcurrency}; it must be at least 1.");
        }

        if (options.MaxReduceLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxReduceLength, $"MapReduceSummarizerOptions.MaxReduceLength is {options.MaxReduceLength}; it must be at least 1.");
        }

        _map = SummaryStage.Create<SummaryTextInput>(options.MapPrompt ?? StuffSummarizer.DefaultPrompt, chatClient, options.ChatOptions, "Map");
        _reduce = SummaryStage.Create<SummaryTextInput>(options.ReducePrompt ?? DefaultReducePrompt, chatClient, options.ChatOptions, "Reduce");
        _maxConcurrency = options.MaxConcurrency;
        _maxReduceLength = options.MaxReduceLength;
    }

    /// <summary>Gets the default reduce prompt: combine summaries of parts into one summary of the whole, in the language
    /// of the summaries.</summary>
    public static ChatPromptTemplate DefaultReducePrompt { get; } = new(
        ChatMessageTemplate.System(SummaryStage.SystemInstruction),
        ChatMessageTemplate.User(
            "The following are summaries of consecutive parts of a larger text. Combine them into one concise summary of the whole, " +
            "removing repetition.\n\n{text}"));

    /// <inheritdoc />
    protected internal override async ValueTask<string> InvokeCoreAsync(IReadOnlyList<Document> input, RunContext context, CancellationToken cancellationToken)
    {
        SummaryStage.Check(input);
        if (input.Count == 0)
        {
            return string.Empty;
        }

        var summaries = await RunAllAsync(_map, input.Select(d => d.Content).ToArray(), context, cancellationToken);
        summaries = await CollapseAsync(summaries, context, cancellationToken);
        return summaries.Length == 1
            ? summaries[0]
            : await context.InvokeAsync(_reduce, new SummaryTextInput(string.Join(SummaryStage.Separator, summaries)), cancellationToken);
    }

    /// <inheritdoc />
    protected internal override async IAsyncEnumerable<string> StreamCoreAsync(IReadOnlyList<Document> input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        SummaryStage.Check(input);
        if (input.Count == 0)
        {
            yield break;
        }

        IAsyncEnumerable<string> last;
        if (input.Count == 1)
        {
            last = context.StreamAsync(_map, new SummaryTextInput(input[0].Content), cancellationToken);
        }
        else
        {
            var summaries = await RunAllAsync(_map, input.Select(d => d.Content).ToArray(), context, cancellationToken);
            summaries = await CollapseAsync(summaries, context, cancellationToken);
            if (summaries.Length == 1)
            {
                yield return summaries[0];
                yield break;
            }

            last = context.StreamAsync(_reduce, new SummaryTextInput(string.Join(SummaryStage.Separator, summaries)), cancellationToken);
        }

        await foreach (var delta in last.WithCancellation(cancellationToken))
        {
            yield return delta;
        }
    }

    /// <summary>Packs consecutive summaries into groups whose joined length fits the budget (a summary longer than the
    /// budget forms its own group).</summary>
    internal static List<string> Pack(IReadOnlyList<string> summaries, int budget)
    {
        var groups = new List<string>();
        var group = new List<string>();
        var length = 0;
        foreach (var summary in summaries)
        {
            var added = group.Count == 0 ? summary.Length : length + SummaryStage.Separator.Length + summary.Length;
            if (group.Count > 0 && added > budget)
            {
                groups.Add(string.Join(SummaryStage.Separator, group));
                group.Clear();
                added = summary.Length;
            }

            group.Add(summary);
            length = added;
        }

        groups.Add(string.Join(SummaryStage.Separator, group));
        return groups;
    }

    private static int JoinedLength(string[] summaries)
        => summaries.Sum(s => s.Length) + (SummaryStage.Separator.Length * (summaries.Length - 1));

    private async Task<string[]> CollapseAsync(string[] summaries, RunContext context, CancellationToken cancellationToken)
    {
        for (var round = 0; round < MaxCollapseRounds && summaries.Length > 1; round++)
        {
            var length = JoinedLength(summaries);
            if (length <= _maxReduceLength)
            {
                break;
            }

            var collapsed = await RunAllAsync(_reduce, Pack(summaries, _maxReduceLength), context, cancellationToken);
            var shorter = JoinedLength(collapsed) < length;
            summaries = collapsed;
            if (!shorter)
            {
                break;
            }
        }

        return summaries;
    }

    private async Task<string[]> RunAllAsync(Runnable<SummaryTextInput, string> step, IReadOnlyList<string> texts, RunContext context, CancellationToken cancellationToken)
    {
        var results = new string[texts.Count];
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = _maxConcurrency ?? context.MaxConcurrency,
            CancellationToken = cancellationToken,
        };
        await Parallel.ForEachAsync(
            Enumerable.Range(0, texts.Count),
            options,
            async (i, token) => results[i] = await context.InvokeAsync(step, new SummaryTextInput(texts[i]), token));
        return results;
    }
}
