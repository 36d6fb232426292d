using Chains.Indexes.Retrievers;
using Microsoft.Extensions.AI;

namespace Chains.Indexes;

/// <summary>Makes an <see cref="IVectorStore"/> a retriever.</summary>
public static class VectorStoreRetrieverExtensions
{
    /// <summary>Returns a similarity retriever over the store (see <see cref="VectorStoreRetriever"/>).</summary>
    /// <param name="store">The store to search.</param>
    /// <param name="embeddingGenerator">Embeds the query; use the model that embedded the stored documents.</param>
    /// <param name="searchOptions">How many documents, a metadata filter and a minimum score; <see langword="null"/> for
    /// the 4 nearest.</param>
    /// <returns>The retriever.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="embeddingGenerator"/> is <see langword="null"/>.</exception>
    public static VectorStoreRetriever AsRetriever(this IVectorStore store, IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator, VectorSearchOptions? searchOptions = null)
        => new(store, embeddingGenerator, searchOptions);
}
