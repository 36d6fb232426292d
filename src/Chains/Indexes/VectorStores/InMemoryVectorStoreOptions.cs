namespace Chains.Indexes.VectorStores;

/// <summary>Options of <see cref="InMemoryVectorStore"/>, validated when the store is created.</summary>
public sealed record InMemoryVectorStoreOptions
{
    /// <summary>Gets the number of dimensions every vector must have, or <see langword="null"/> to take it from the first
    /// upserted vector (it is then fixed for the life of the store).</summary>
    public int? Dimension { get; init; }

    /// <summary>Gets how closeness is measured (default <see cref="VectorDistance.Cosine"/>).</summary>
    public VectorDistance Distance { get; init; } = VectorDistance.Cosine;
}
