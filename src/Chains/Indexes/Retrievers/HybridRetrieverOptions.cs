namespace Chains.Indexes.Retrievers;

/// <summary>Options of <see cref="HybridRetriever"/>, validated when the retriever is created.</summary>
public sealed record HybridRetrieverOptions
{
    /// <summary>Gets how many documents to return (default 4).</summary>
    public int Top { get; init; } = 4;

    /// <summary>Gets how many candidates each side (vector and keyword) contributes before fusion (default 20; at least
    /// <see cref="Top"/>).</summary>
    public int FetchTop { get; init; } = 20;

    /// <summary>Gets the weight of the vector ranking in the fusion (default 1).</summary>
    public double VectorWeight { get; init; } = 1;

    /// <summary>Gets the weight of the keyword (BM25) ranking in the fusion (default 1).</summary>
    public double KeywordWeight { get; init; } = 1;

    /// <summary>Gets the rank offset of reciprocal rank fusion (default <see cref="RankFusion.DefaultK"/>, 60).</summary>
    public int RrfK { get; init; } = RankFusion.DefaultK;

    /// <summary>Gets a metadata filter applied to both sides, or <see langword="null"/>.</summary>
    public MetadataFilter? Filter { get; init; }

    /// <summary>Gets the lowest vector score a vector candidate may have, or <see langword="null"/> for no minimum.</summary>
    public double? MinVectorScore { get; init; }
}
