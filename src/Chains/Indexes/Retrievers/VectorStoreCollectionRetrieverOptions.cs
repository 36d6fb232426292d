using System.Linq.Expressions;
using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>Options of a retriever over a Microsoft.Extensions.VectorData collection (see
/// <see cref="Microsoft.Extensions.VectorData.VectorStoreCollectionRetrieverExtensions.AsRetriever{TKey,TRecord}"/>).</summary>
/// <typeparam name="TRecord">The collection's record type.</typeparam>
public sealed record VectorStoreCollectionRetrieverOptions<TRecord>
{
    /// <summary>Gets how many documents to return (default 4).</summary>
    public int Top { get; init; } = 4;

    /// <summary>Gets a filter on records, translated by the collection, or <see langword="null"/>.</summary>
    public Expression<Func<TRecord, bool>>? Filter { get; init; }

    /// <summary>Gets the collection's score threshold (its meaning depends on the collection's distance function), or
    /// <see langword="null"/>.</summary>
    public double? ScoreThreshold { get; init; }

    /// <summary>Gets the vector property to search when the record has several, or <see langword="null"/>.</summary>
    public Expression<Func<TRecord, object?>>? VectorProperty { get; init; }

    /// <summary>Gets a generator that embeds the query here, so the collection is searched by vector; <see langword="null"/>
    /// to pass the query text to the collection, which must then have an embedding generator configured.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; init; }
}
