using Chains.Indexes;
using Chains.Indexes.Retrievers;

namespace Microsoft.Extensions.VectorData;

/// <summary>Makes any Microsoft.Extensions.VectorData collection (Semantic Kernel connectors, Qdrant, Azure AI Search,
/// in-memory...) a Chains retriever.</summary>
public static class VectorStoreCollectionRetrieverExtensions
{
    /// <summary>Returns a retriever that searches the collection with the query and maps each record to a
    /// <see cref="Document"/>.</summary>
    /// <typeparam name="TKey">The collection's key type.</typeparam>
    /// <typeparam name="TRecord">The collection's record type.</typeparam>
    /// <param name="collection">The collection.</param>
    /// <param name="map">Makes a document of a record (id, text, metadata).</param>
    /// <param name="options">How many documents, a filter, a score threshold, and optionally an embedding generator used
    /// here (otherwise the collection's own generator embeds the query text); <see langword="null"/> for the 4 nearest.</param>
    /// <returns>The retriever.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="collection"/> or <paramref name="map"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><c>Top</c> is less than 1.</exception>
    public static Retriever AsRetriever<TKey, TRecord>(this VectorStoreCollection<TKey, TRecord> collection, Func<TRecord, Document> map, VectorStoreCollectionRetrieverOptions<TRecord>? options = null)
        where TKey : notnull
        where TRecord : class
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(map);
        options ??= new VectorStoreCollectionRetrieverOptions<TRecord>();
        if (options.Top < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Top, "Top must be at least 1.");
        }

        return new VectorStoreCollectionRetriever<TKey, TRecord>(collection, map, options);
    }
}
