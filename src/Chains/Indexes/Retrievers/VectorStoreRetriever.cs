using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>
/// The similarity retriever: embeds the query and returns the nearest documents of an <see cref="IVectorStore"/>. The
/// search options make it a top-k, a score-threshold (<see cref="VectorSearchOptions.MinScore"/>) or a filtered
/// (<see cref="VectorSearchOptions.Filter"/>) retriever, or all three.
/// </summary>
/// <example><code>
/// var retriever = new VectorStoreRetriever(store, embedder, new VectorSearchOptions
/// {
///     Top = 5,
///     MinScore = 0.3,
///     Filter = MetadataFilter.Eq("lang", "zh"),
/// });
/// IReadOnlyList&lt;Document&gt; docs = await retriever.InvokeAsync("什么是向量数据库？");
/// </code></example>
public sealed class VectorStoreRetriever : Retriever
{
    private readonly QueryEmbedder _embedder;

    /// <summary>Initializes a new retriever.</summary>
    /// <param name="store">The store to search.</param>
    /// <param name="embeddingGenerator">Embeds the query; use the model that embedded the stored documents.</param>
    /// <param name="searchOptions">How many documents, a metadata filter and a minimum score; <see langword="null"/> for
    /// the 4 nearest.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="embeddingGenerator"/> is <see langword="null"/>.</exception>
    public VectorStoreRetriever(IVectorStore store, IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator, VectorSearchOptions? searchOptions = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        _embedder = new QueryEmbedder(embeddingGenerator);
        SearchOptions = (searchOptions ?? new VectorSearchOptions()) with { IncludeVectors = false };
    }

    /// <summary>Gets the store searched.</summary>
    public IVectorStore Store { get; }

    /// <summary>Gets the options of every search (vectors are never requested).</summary>
    public VectorSearchOptions SearchOptions { get; }

    /// <inheritdoc />
    protected internal override async ValueTask<IReadOnlyList<Document>> InvokeCoreAsync(string input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var vector = await _embedder.EmbedAsync(input, context, cancellationToken);
        var matches = await Store.SearchAsync(vector, SearchOptions, cancellationToken);
        var documents = new Document[matches.Count];
        for (var i = 0; i < documents.Length; i++)
        {
            documents[i] = matches[i].Document;
        }

        return documents;
    }
}
