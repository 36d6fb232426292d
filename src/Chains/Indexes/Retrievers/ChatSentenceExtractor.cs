using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>
/// A compressor that asks a chat model to copy out of each document only the sentences relevant to the query. Documents
/// with nothing relevant (the model answers <see cref="ChatSentenceExtractorOptions.NoOutput"/> or nothing) are dropped;
/// the others keep their id, source and metadata with the extract as content. When the extract is one contiguous passage
/// of the original, the source span is narrowed to it; otherwise the span is cleared.
/// </summary>
public sealed class ChatSentenceExtractor : IDocumentCompressor
{
    private readonly IChatClient _chatClient;

    /// <summary>Initializes a new extractor.</summary>
    /// <param name="chatClient">The model that extracts the sentences.</param>
    /// <param name="options">The concurrency and the instructions; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><c>MaxConcurrency</c> is less than 1.</exception>
    /// <exception cref="ArgumentException"><c>Instructions</c> is empty.</exception>
    public ChatSentenceExtractor(IChatClient chatClient, ChatSentenceExtractorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        options ??= new ChatSentenceExtractorOptions();
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
    public ChatSentenceExtractorOptions Options { get; }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Document>> CompressAsync(string query, IReadOnlyList<Document> documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(documents);
        var extracts = new Document?[documents.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, documents.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Options.MaxConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                ChatMessage[] messages =
                [
                    new(ChatRole.System, Options.Instructions),
                    new(ChatRole.User, $"Question: {query}\n\nDocument:\n{documents[i].Content}"),
                ];
                var response = await _chatClient.GetResponseAsync(messages, Options.ChatOptions, ct);
                extracts[i] = Extract(documents[i], response.Text);
            });

        return extracts.OfType<Document>().ToArray();
    }

    private static Document? Extract(Document document, string answer)
    {
        var text = answer.Trim();
        if (text.Length == 0 || text.StartsWith(ChatSentenceExtractorOptions.NoOutput, StringComparison.Ordinal))
        {
            return null;
        }

        var at = document.Content.IndexOf(text, StringComparison.Ordinal);
        SourceSpan? span = at >= 0 && document.Span is { } original ? new SourceSpan(original.Start + at, text.Length) : null;
        return document with { Content = text, Span = span };
    }
}
