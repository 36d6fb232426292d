using Chains.Runnables;

namespace Chains.Indexes.Retrievers;

/// <summary>
/// Runs a retriever, then passes its documents through an <see cref="IDocumentCompressor"/>: an
/// <see cref="EmbeddingsFilter"/> (cheap: drop documents not similar enough to the query), a
/// <see cref="ChatRelevanceReranker"/> (a model scores each document) or a <see cref="ChatSentenceExtractor"/> (a model
/// keeps only the relevant sentences). Fetch generously with the inner retriever and let the compressor cut.
/// </summary>
public sealed class ContextualCompressionRetriever : Retriever
{
    /// <summary>Initializes a new retriever.</summary>
    /// <param name="retriever">The retriever whose documents are compressed.</param>
    /// <param name="compressor">The compressor.</param>
    /// <exception cref="ArgumentNullException"><paramref name="retriever"/> or <paramref name="compressor"/> is <see langword="null"/>.</exception>
    public ContextualCompressionRetriever(Retriever retriever, IDocumentCompressor compressor)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        ArgumentNullException.ThrowIfNull(compressor);
        Inner = retriever;
        Compressor = compressor;
    }

    /// <summary>Gets the retriever whose documents are compressed.</summary>
    public Retriever Inner { get; }

    /// <summary>Gets the compressor.</summary>
    public IDocumentCompressor Compressor { get; }

    /// <inheritdoc />
    protected internal override async ValueTask<IReadOnlyList<Document>> InvokeCoreAsync(string input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var documents = await context.InvokeAsync(Inner, input, cancellationToken);
        return documents.Count == 0 ? documents : await Compressor.CompressAsync(input, documents, cancellationToken);
    }
}
