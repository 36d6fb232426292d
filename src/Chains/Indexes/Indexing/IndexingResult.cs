namespace Chains.Indexes.Indexing;

/// <summary>What an indexing run did.</summary>
public sealed record IndexingResult
{
    /// <summary>Gets the number of source documents indexed for the first time.</summary>
    public int DocumentsAdded { get; init; }

    /// <summary>Gets the number of source documents whose content or metadata changed and were re-indexed.</summary>
    public int DocumentsUpdated { get; init; }

    /// <summary>Gets the number of source documents left as they were because their hash had not changed.</summary>
    public int DocumentsSkipped { get; init; }

    /// <summary>Gets the number of source documents removed because a full run did not see them.</summary>
    public int DocumentsDeleted { get; init; }

    /// <summary>Gets the number of chunks written to the vector store.</summary>
    public int ChunksWritten { get; init; }

    /// <summary>Gets the number of chunks deleted from the vector store (stale chunks of changed documents and chunks of
    /// deleted documents).</summary>
    public int ChunksDeleted { get; init; }

    /// <summary>Gets the number of calls made to the embedding generator.</summary>
    public int EmbeddingCalls { get; init; }

    /// <summary>Gets the number of texts embedded.</summary>
    public int EmbeddedTexts { get; init; }

    /// <summary>Gets how long the run took, by the indexer's <see cref="TimeProvider"/>.</summary>
    public TimeSpan Elapsed { get; init; }
}
