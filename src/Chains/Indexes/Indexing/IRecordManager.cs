namespace Chains.Indexes.Indexing;

/// <summary>
/// Remembers, per source document, which version was indexed and which chunks it wrote, so an <see cref="Indexer"/> can
/// skip unchanged documents, replace the chunks of changed ones and remove deleted ones.
/// </summary>
/// <remarks>Implementations: <see cref="InMemoryRecordManager"/>, <see cref="FileRecordManager"/>, and database back ends.
/// One indexing run at a time may write to a record manager.</remarks>
public interface IRecordManager
{
    /// <summary>Gets the records of the given source documents; ids without a record are left out.</summary>
    /// <param name="sourceIds">The source document ids.</param>
    /// <param name="cancellationToken">A token that cancels the read.</param>
    /// <returns>The records found, in any order.</returns>
    Task<IReadOnlyList<IndexRecord>> GetAsync(IReadOnlyList<string> sourceIds, CancellationToken cancellationToken = default);

    /// <summary>Lists every record (used to find the documents a full run did not see).</summary>
    /// <param name="cancellationToken">A token that stops the listing.</param>
    /// <returns>The records, in any order.</returns>
    IAsyncEnumerable<IndexRecord> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes records, replacing those with the same <see cref="IndexRecord.SourceId"/>. Every record is written
    /// or none is.</summary>
    /// <param name="records">The records.</param>
    /// <param name="cancellationToken">A token that cancels the write.</param>
    /// <returns>A task that completes when the records are durable.</returns>
    Task UpsertAsync(IReadOnlyList<IndexRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Deletes the records of the given source documents; unknown ids are ignored.</summary>
    /// <param name="sourceIds">The source document ids.</param>
    /// <param name="cancellationToken">A token that cancels the delete.</param>
    /// <returns>A task that completes when the records are gone.</returns>
    Task DeleteAsync(IReadOnlyList<string> sourceIds, CancellationToken cancellationToken = default);
}
