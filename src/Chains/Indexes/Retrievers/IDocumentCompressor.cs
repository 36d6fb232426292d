namespace Chains.Indexes.Retrievers;

/// <summary>
/// Post-processes retrieved documents for one query: drops the irrelevant, reorders (reranks) or shortens them to the
/// relevant passages. Used by <see cref="ContextualCompressionRetriever"/>.
/// </summary>
public interface IDocumentCompressor
{
    /// <summary>Compresses the documents retrieved for <paramref name="query"/>.</summary>
    /// <param name="query">The query.</param>
    /// <param name="documents">The retrieved documents, best first.</param>
    /// <param name="cancellationToken">A token that cancels the work.</param>
    /// <returns>The documents to keep, most relevant first; possibly with shortened content.</returns>
    ValueTask<IReadOnlyList<Document>> CompressAsync(string query, IReadOnlyList<Document> documents, CancellationToken cancellationToken = default);
}
