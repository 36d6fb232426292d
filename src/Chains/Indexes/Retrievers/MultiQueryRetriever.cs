using System.Globalization;
using System.Text.RegularExpressions;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>
/// Asks a chat model to rewrite the question into several search queries, runs another retriever on each (and on the
/// question itself), and returns the union: each document once (by id), ordered by the best rank it reached in any
/// query's results, ties in query order.
/// </summary>
/// <remarks>The queries run concurrently, at most <see cref="RunOptions.MaxConcurrency"/> at a time. The model's answer
/// is read one query per line; list markers (<c>1.</c>, <c>-</c>, <c>1、</c>) and duplicate lines are dropped.</remarks>
public sealed partial class MultiQueryRetriever : Retriever
{
    private readonly Runnable<PromptValue, ChatResponse> _model;
    private readonly string _instructions;

    /// <summary>Initializes a new retriever.</summary>
    /// <param name="retriever">The retriever run on each query.</param>
    /// <param name="chatClient">The model that writes the query variants.</param>
    /// <param name="options">How many variants, whether to keep the original question, the instructions; <see langword="null"/>
    /// for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="retriever"/> or <paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><c>QueryCount</c> is less than 1.</exception>
    /// <exception cref="ArgumentException"><c>Instructions</c> is empty.</exception>
    public MultiQueryRetriever(Retriever retriever, IChatClient chatClient, MultiQueryRetrieverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        ArgumentNullException.ThrowIfNull(chatClient);
        options ??= new MultiQueryRetrieverOptions();
        if (options.QueryCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.QueryCount, "QueryCount must be at least 1.");
        }

        if (string.IsNullOrWhiteSpace(options.Instructions))
        {
            throw new ArgumentException("Instructions must not be empty.", nameof(options));
        }

        Inner = retriever;
        Options = options;
        _model = chatClient.AsRunnable(options.ChatOptions);
        _instructions = options.Instructions.Replace("{count}", options.QueryCount.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    /// <summary>Gets the retriever run on each query.</summary>
    public Retriever Inner { get; }

    /// <summary>Gets the options.</summary>
    public MultiQueryRetrieverOptions Options { get; }

    /// <inheritdoc />
    protected internal override async ValueTask<IReadOnlyList<Document>> InvokeCoreAsync(string input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        var queries = await GenerateQueriesAsync(input, context, cancellationToken);
        var results = await BatchRunner<string, IReadOnlyList<Document>>.RunAsync(Inner, queries, context, collectErrors: false, cancellationToken);
        return Merge(results.Select(r => r.Value).ToArray());
    }

    /// <summary>Reads the model's answer: one query per line, list markers and blank or repeated lines dropped.</summary>
    internal static List<string> ParseQueries(string text, int count)
    {
        var queries = new List<string>(count);
        foreach (var line in text.Split('\n'))
        {
            var query = ListMarker().Replace(line, string.Empty).Trim().Trim('"', '“', '”', '「', '」');
            if (query.Length > 0 && !queries.Contains(query, StringComparer.Ordinal))
            {
                queries.Add(query);
                if (queries.Count == count)
                {
                    break;
                }
            }
        }

        return queries;
    }

    /// <summary>Unites result lists: each document once, by its best rank, ties in list order.</summary>
    internal static Document[] Merge(IReadOnlyList<IReadOnlyList<Document>> results)
    {
        var best = new Dictionary<string, (int Rank, int List, Document Document)>(StringComparer.Ordinal);
        for (var list = 0; list < results.Count; list++)
        {
            for (var rank = 0; rank < results[list].Count; rank++)
            {
                var document = results[list][rank];
                if (!best.TryGetValue(document.Id, out var seen) || rank < seen.Rank)
                {
                    best[document.Id] = (rank, list, document);
                }
            }
        }

        return best.Values.OrderBy(e => e.Rank).ThenBy(e => e.List).Select(e => e.Document).ToArray();
    }

    private async ValueTask<List<string>> GenerateQueriesAsync(string question, RunContext context, CancellationToken cancellationToken)
    {
        var prompt = PromptValue.FromMessages([new ChatMessage(ChatRole.System, _instructions), new ChatMessage(ChatRole.User, question)]);
        var response = await context.InvokeAsync(_model, prompt, cancellationToken);
        var variants = ParseQueries(response.Text, Options.QueryCount);
        variants.Remove(question.Trim());
        if (Options.IncludeOriginal || variants.Count == 0)
        {
            variants.Insert(0, question);
        }

        return variants;
    }

    [GeneratedRegex(@"^\s*(?:[-*•·]+|\(?[0-9０-９]+[.)、．:：)]|[（(][0-9０-９]+[)）]|Q[0-9]+[:：.])\s*", RegexOptions.CultureInvariant)]
    private static partial Regex ListMarker();
}
