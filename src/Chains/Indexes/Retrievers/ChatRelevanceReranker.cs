using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>
/// A compressor that asks a chat model to score each document's relevance to the query from 0 to 10, drops documents
/// below <see cref="ChatRelevanceRerankerOptions.MinScore"/> and orders the rest by score (ties keep the retriever's
/// order). Documents are scored concurrently, at most <see cref="ChatRelevanceRerankerOptions.MaxConcurrency"/> at a time.
/// </summary>
/// <remarks>The first number in the model's answer is the score (clamped to 0–10); an answer without a number scores 0.</remarks>
public sealed partial class ChatRelevanceReranker : IDocumentCompressor
{
    private readonly IChatClient _chatClient;

    /// <summary>Initializes a new reranker.</summary>
    /// <param name="chatClient">The model that scores documents.</param>
    /// <param name="options">The minimum score, how many to keep, the concurrency and the instructions; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><c>MinScore</c> is outside [0, 10], <c>Top</c> or <c>MaxConcurrency</c> is less than 1.</exception>
    /// <exception cref="ArgumentException"><c>Instructions</c> is empty.</exception>
    public ChatRelevanceReranker(IChatClient chatClient, ChatRelevanceRerankerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        options ??= new ChatRelevanceRerankerOptions();
        if (!(options.MinScore is >= 0 and <= 10))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MinScore, "MinScore must be between 0 and 10.");
        }

        if (options.Top is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Top, "Top must be at least 1, or null for no limit.");
        }

        if (options.MaxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxConcurrency, "MaxConcurrency must be at least 1.");
        }

        if (string.IsNullOrWhiteSpace(options.Instructions))
        {
            throw new ArgumentException("Instructions must not be empty.", nameof(options));
        }

        _chatClient = chatClient;
        Options = options;
    }

    /// <summary>Gets the options.</summary>
    public ChatRelevanceRerankerOptions Options { get; }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Document>> CompressAsync(string query, IReadOnlyList<Document> documents, CancellationToken cancellationToken = default)
    {
        var scored = await ScoreAsync(query, documents, cancellationToken);
        return scored.Select(s => s.Document).ToArray();
    }

    /// <summary>Scores the documents and returns those kept with their scores, best first.</summary>
    /// <param name="query">The query.</param>
    /// <param name="documents">The documents.</param>
    /// <param name="cancellationToken">A token that cancels the scoring calls.</param>
    /// <returns>The kept documents with their 0–10 scores, best first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> or <paramref name="documents"/> is <see langword="null"/>.</exception>
    public async ValueTask<IReadOnlyList<ScoredDocument>> ScoreAsync(string query, IReadOnlyList<Document> documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(documents);
        var scores = new double[documents.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, documents.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Options.MaxConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                ChatMessage[] messages =
                [
                    new(ChatRole.System, Options.Instructions),
                    new(ChatRole.User, $"Query: {query}\n\nDocument:\n{documents[i].Content}"),
                ];
                var response = await _chatClient.GetResponseAsync(messages, Options.ChatOptions, ct);
                scores[i] = ParseScore(response.Text);
            });

        return documents
            .Select((d, i) => new ScoredDocument(d, scores[i]))
            .Where(s => s.Score >= Options.MinScore)
            .OrderByDescending(s => s.Score)
            .Take(Options.Top ?? int.MaxValue)
            .ToArray();
    }

    /// <summary>Reads the first number of the answer, clamped to 0–10; 0 when there is none.</summary>
    internal static double ParseScore(string text)
    {
        var match = FirstNumber().Match(text);
        return match.Success && double.TryParse(match.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? Math.Clamp(value, 0, 10)
            : 0;
    }

    [GeneratedRegex(@"[0-9]+(?:\.[0-9]+)?", RegexOptions.CultureInvariant)]
    private static partial Regex FirstNumber();
}
