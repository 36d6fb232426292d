namespace Chains.Indexes.Retrievers;

/// <summary>Options of <see cref="MaxMarginalRelevanceRetriever"/>, validated when the retriever is created.</summary>
public sealed record MaxMarginalRelevanceRetrieverOptions
{
    /// <summary>Gets how many documents to return (default 4).</summary>
    public int Top { get; init; } = 4;

    /// <summary>Gets how many nearest candidates to fetch from the store before choosing among them (default 20; at
    /// least <see cref="Top"/>).</summary>
    public int FetchTop { get; init; } = 20;

    /// <summary>Gets the trade-off between relevance (1) and diversity (0), default 0.5.</summary>
    public double Lambda { get; init; } = 0.5;

    /// <summary>Gets a metadata filter every candidate must pass, or <see langword="null"/>.</summary>
    public MetadataFilter? Filter { get; init; }

    /// <summary>Gets the lowest store score a candidate may have, or <see langword="null"/> for no minimum.</summary>
    public double? MinScore { get; init; }
}
