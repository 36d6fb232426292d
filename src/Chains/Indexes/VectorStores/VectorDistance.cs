namespace Chains.Indexes.VectorStores;

/// <summary>How <see cref="InMemoryVectorStore"/> measures closeness. Every score is a similarity: higher is closer.</summary>
public enum VectorDistance
{
    /// <summary>Cosine similarity, in [-1, 1]. Vectors are normalised when stored, so a search is a dot product.</summary>
    Cosine,

    /// <summary>The raw dot product, for embeddings that are already normalised or whose length carries meaning.</summary>
    DotProduct,

    /// <summary>Euclidean (L2) distance <c>d</c>, reported as the similarity <c>1 / (1 + d)</c>, in (0, 1]: 1 for an
    /// identical vector, falling towards 0 with distance.</summary>
    Euclidean,
}
