namespace Chains.Indexes.Retrievers;

/// <summary>
/// A key-value store of whole documents by id, for the documents a vector store does not hold itself: the parents
/// that <see cref="ParentDocumentRetriever"/> returns for the small chunks it finds.
/// </summary>
public interface IDocumentStore
{
    /// <summary>Gets the documents with the given ids.</summary>
    /// <param name="ids">The ids.</param>
    /// <param name="cancellationToken">A token that cancels the read.</param>
    /// <returns>The documents found, in the order of <paramref name="ids"/>; ids not found are skipped.</returns>
    Task<IReadOnlyList<Document>> GetAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Stores documents, replacing any with the same id.</summary>
    /// <param name="documents">The documents.</param>
    /// <param name="cancellationToken">A token that cancels the write.</param>
    /// <returns>A task that completes when the documents are stored.</returns>
    Task SetAsync(IReadOnlyList<Document> documents, CancellationToken cancellationToken = default);

    /// <summary>Deletes documents by id.</summary>
    /// <param name="ids">The ids.</param>
    /// <param name="cancellationToken">A token that cancels the delete.</param>
    /// <returns>The number of documents deleted.</returns>
    Task<int> DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default);
}
