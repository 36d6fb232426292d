namespace Chains.Indexes.Indexing;

/// <summary>What an <see cref="Indexer"/> removes from the vector store.</summary>
public enum IndexCleanupMode
{
    /// <summary>Never delete: a changed document adds its new chunks and keeps the old ones, and documents missing from a
    /// run stay. The record lists old and new chunks, so a later <see cref="Full"/> run that no longer sees the document
    /// removes them all.</summary>
    None,

    /// <summary>A changed document's chunks are replaced; documents missing from a run stay (for runs over part of a
    /// corpus, e.g. only the files that changed).</summary>
    Incremental,

    /// <summary>Like <see cref="Incremental"/>, and when the run completes every document it did not see is deleted with
    /// its chunks (for runs over the whole corpus). A cancelled or failed run deletes nothing.</summary>
    Full,
}

/// <summary>Options of an <see cref="Indexer"/>, checked when the indexer is created.</summary>
public sealed record IndexerOptions
{
    /// <summary>Gets what the indexer removes from the store (default <see cref="IndexCleanupMode.Incremental"/>).</summary>
    public IndexCleanupMode Cleanup { get; init; } = IndexCleanupMode.Incremental;

    /// <summary>Gets how many texts go into one embedding call, which is also how many source documents are looked up
    /// and committed together (default 64).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Gets the clock for <see cref="IndexRecord.IndexedAt"/>, elapsed times and rates
    /// (<see cref="TimeProvider.System"/> when <see langword="null"/>).</summary>
    public TimeProvider? TimeProvider { get; init; }
}
