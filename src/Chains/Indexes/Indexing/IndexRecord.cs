namespace Chains.Indexes.Indexing;

/// <summary>
/// What an <see cref="Indexer"/> remembers about one source document: its content hash and the ids of the chunks it
/// wrote to the vector store. A record whose <see cref="ContentHash"/> is <see langword="null"/> is <em>pending</em>: a
/// write was started and may not have finished, so its <see cref="ChunkIds"/> list every chunk that may be in the store.
/// </summary>
public sealed record IndexRecord
{
    /// <summary>Initializes a record.</summary>
    /// <param name="sourceId">The source document's id (<see cref="Document.Id"/> of the loaded document).</param>
    /// <param name="contentHash">The SHA-256 (lowercase hex) of the document's content, source, span and metadata, or
    /// <see langword="null"/> for a pending record.</param>
    /// <param name="chunkIds">The ids of the document's chunks in the vector store.</param>
    /// <param name="indexedAt">When the record was written.</param>
    /// <exception cref="ArgumentException"><paramref name="sourceId"/> is empty, or <paramref name="contentHash"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="sourceId"/> or <paramref name="chunkIds"/> is <see langword="null"/>.</exception>
    public IndexRecord(string sourceId, string? contentHash, IReadOnlyList<string> chunkIds, DateTimeOffset indexedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceId);
        ArgumentNullException.ThrowIfNull(chunkIds);
        if (contentHash is { Length: 0 })
        {
            throw new ArgumentException("A content hash must be non-empty; use null for a pending record.", nameof(contentHash));
        }

        SourceId = sourceId;
        ContentHash = contentHash;
        ChunkIds = chunkIds;
        IndexedAt = indexedAt;
    }

    /// <summary>Gets the source document's id, the record's key.</summary>
    public string SourceId { get; }

    /// <summary>Gets the hash of the indexed version of the document, or <see langword="null"/> while a write is pending.</summary>
    public string? ContentHash { get; }

    /// <summary>Gets the ids of the document's chunks in the vector store (for a pending record: every id that may be there).</summary>
    public IReadOnlyList<string> ChunkIds { get; }

    /// <summary>Gets when the record was written, by the indexer's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset IndexedAt { get; }

    /// <summary>Gets a value indicating whether a write of this document started and may not have finished.</summary>
    public bool IsPending => ContentHash is null;
}
