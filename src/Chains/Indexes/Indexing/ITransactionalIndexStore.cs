namespace Chains.Indexes.Indexing;

/// <summary>
/// Implemented by a vector store that can replace a document's chunks and write its index record in one transaction
/// (e.g. PostgreSQL, where chunks and records are tables of one database). An <see cref="Indexer"/> whose vector store
/// implements it, and shares transactions with the indexer's <see cref="IRecordManager"/>, commits every batch through
/// <see cref="CommitAsync"/> instead of writing pending records first.
/// </summary>
public interface ITransactionalIndexStore
{
    /// <summary>Tells whether <see cref="CommitAsync"/> writes the records that <paramref name="recordManager"/> reads
    /// (typically: it is this back end's record manager over the same database).</summary>
    /// <param name="recordManager">The indexer's record manager.</param>
    /// <returns><see langword="true"/> when commits through this store are visible to <paramref name="recordManager"/>.</returns>
    bool SharesTransactionsWith(IRecordManager recordManager);

    /// <summary>Applies the changes in one transaction: for each, upserts the chunks, deletes the stale chunk ids and
    /// writes (or deletes) the record. All changes take effect or none does.</summary>
    /// <param name="changes">The changes, at most one per source document.</param>
    /// <param name="cancellationToken">A token that cancels (and rolls back) the transaction.</param>
    /// <returns>A task that completes when the transaction has committed.</returns>
    Task CommitAsync(IReadOnlyList<IndexChange> changes, CancellationToken cancellationToken = default);
}

/// <summary>One source document's change, applied atomically by <see cref="ITransactionalIndexStore.CommitAsync"/>.</summary>
/// <param name="SourceId">The source document's id.</param>
/// <param name="Upserts">The chunks to write (with their vectors).</param>
/// <param name="DeletedChunkIds">The ids of chunks to delete.</param>
/// <param name="Record">The record to write, or <see langword="null"/> to delete the document's record.</param>
public sealed record IndexChange(string SourceId, IReadOnlyList<VectorRecord> Upserts, IReadOnlyList<string> DeletedChunkIds, IndexRecord? Record);
