using Chains.Runnables;
using Microsoft.Extensions.VectorData;

namespace Chains.Indexes.Retrievers;

/// <summary>A retriever over any Microsoft.Extensions.VectorData collection: searches it with the query (text, or a vector
/// embedded here) and maps each record to a <see cref="Document"/>.</summary>
internal sealed class VectorStoreCollectionRetriever<TKey, TRecord> : Retriever
    where TKey : notnull
    where TRecord : class
{
    private readonly VectorStoreCollection<TKey, TRecord> _collection;
    private readonly Func<TRecord, Document> _map;
    private readonly VectorStoreCollectionRetrieverOptions<TRecord> _options;
    private readonly QueryEmbedder? _embedder;

    public VectorStoreCollectionRetriever(VectorStoreCollection<TKey, TRecord> collection, Func<TRecord, Document> map, VectorStoreCollectionRetrieverOptions<TRecord> options)
    {
        _collection = collection;
        _map = map;
        _options = options;
        _embedder = options.EmbeddingGenerator is { } generator ? new QueryEmbedder(generator) : null;
    }

    public override string Name => $"{nameof(VectorStoreCollectionRetriever<TKey, TRecord>)}({_collection.Name})";

    protected internal override async ValueTask<IReadOnlyList<Document>> InvokeCoreAsync(string input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var searchOptions = new VectorSearchOptions<TRecord>
        {
            Filter = _options.Filter,
            VectorProperty = _options.VectorProperty,
            ScoreThreshold = _options.ScoreThreshold,
        };

        var results = _embedder is null
            ? _collection.SearchAsync(input, _options.Top, searchOptions, cancellationToken)
            : _collection.SearchAsync(await _embedder.EmbedAsync(input, context, cancellationToken), _options.Top, searchOptions, cancellationToken);

        var documents = new List<Document>(_options.Top);
        await foreach (var result in results.WithCancellation(cancellationToken))
        {
            documents.Add(_map(result.Record) ?? throw new InvalidOperationException($"The record mapping returned null for a record of collection '{_collection.Name}'; return a Document."));
        }

        return documents;
    }
}
