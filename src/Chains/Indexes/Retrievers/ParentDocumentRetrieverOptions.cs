namespace Chains.Indexes.Retrievers;

/// <summary>Options of <see cref="ParentDocumentRetriever"/>, validated when the retriever is created.</summary>
public sealed record ParentDocumentRetrieverOptions
{
    /// <summary>The default metadata key under which chunks carry their parent's id.</summary>
    public const string DefaultParentIdKey = "parent_id";

    /// <summary>Gets how many parent documents to return at most (default 4).</summary>
    public int Top { get; init; } = 4;

    /// <summary>Gets how many chunks to search for (default 20; at least <see cref="Top"/>): several chunks often share a
    /// parent.</summary>
    public int ChunkTop { get; init; } = 20;

    /// <summary>Gets the chunk metadata key that holds the parent's id (default <c>parent_id</c>).</summary>
    public string ParentIdKey { get; init; } = DefaultParentIdKey;

    /// <summary>Gets a metadata filter every chunk must pass, or <see langword="null"/>.</summary>
    public MetadataFilter? Filter { get; init; }

    /// <summary>Gets the lowest score a chunk may have, or <see langword="null"/> for no minimum.</summary>
    public double? MinScore { get; init; }
}
