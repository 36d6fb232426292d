using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>
/// Hybrid search: the nearest documents of an <see cref="IVectorStore"/> and the best BM25 matches of a
/// <see cref="Bm25Index"/> over the same documents, fused by weighted reciprocal rank fusion
/// (<see cref="RankFusion.Reciprocal"/>). Keywords catch exact names, codes and rare terms that embeddings blur; vectors
/// catch paraphrases that share no word with the query. Works for Chinese text too (see <see cref="Bm25Index"/>).
/// </summary>
public sealed class HybridRetriever : Retriever
{
    private readonly QueryEmbedder _embedder;
    private readonly VectorSearchOptions _search;
    private readonly double[] _weights;

    /// <summary>Initializes a new retriever.</summary>
    /// <param name="store">The vector store.</param>
    /// <param name="embeddingGenerator">Embeds the query; use the model that embedded the stored documents.</param>
    /// <param name="keywordIndex">The BM25 index over the same documents.</param>
    /// <param name="options">How many documents, candidates per side, weights, the RRF constant and a filter;
    /// <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/>, <paramref name="embeddingGenerator"/> or <paramref name="keywordIndex"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><c>Top</c> is less than 1, <c>FetchTop</c> is less than <c>Top</c>,
    /// <c>RrfK</c> is negative, or a weight is negative, not finite, or both weights are 0.</exception>
    public HybridRetriever(IVectorStore store, IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator, Bm25Index keywordIndex, HybridRetrieverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keywordIndex);
        options ??= new HybridRetrieverOptions();
        if (options.Top < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Top, "Top must be at least 1.");
        }

        if (options.FetchTop < options.Top)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FetchTop, $"FetchTop ({options.FetchTop}) must be at least Top ({options.Top}).");
        }

        if (options.RrfK < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RrfK, "RrfK must not be negative.");
        }

        if (!IsWeight(options.VectorWeight) || !IsWeight(options.KeywordWeight) || options.VectorWeight + options.KeywordWeight == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"VectorWeight ({options.VectorWeight}) and KeywordWeight ({options.KeywordWeight}) must be finite, not negative, and not both 0.");
        }

        Store = store;
        KeywordIndex = keywordIndex;
        Options = options;
        _embedder = new QueryEmbedder(embeddingGenerator);
        _search = new VectorSearchOptions { Top = options.FetchTop, Filter = options.Filter, MinScore = options.MinVectorScore };
        _weights = [options.VectorWeight, options.KeywordWeight];
    }

    /// <summary>Gets the vector store.</summary>
    public IVectorStore Store { get; }

    /// <summary>Gets the BM25 index.</summary>
    public Bm25Index KeywordIndex { get; }

    /// <summary>Gets the options.</summary>
    public HybridRetrieverOptions Options { get; }

    /// <inheritdoc />
    protected internal override async ValueTask<IReadOnlyList<Document>> InvokeCoreAsync(string input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var vectorMatches = Options.VectorWeight > 0 ? await SearchVectorsAsync(input, context, cancellationToken) : [];
        var keywordMatches = Options.KeywordWeight > 0
            ? KeywordIndex.Search(input, Options.FetchTop, Options.Filter).Select(m => m.Document).ToArray()
            : [];
        var fused = RankFusion.Reciprocal([vectorMatches, keywordMatches], _weights, Options.RrfK);
        var count = Math.Min(Options.Top, fused.Count);
        var documents = new Document[count];
        for (var i = 0; i < count; i++)
        {
            documents[i] = fused[i].Document;
        }

        return documents;
    }

    private async ValueTask<Document[]> SearchVectorsAsync(string input, RunContext context, CancellationToken cancellationToken)
    {
        var vector = await _embedder.EmbedAsync(input, context, cancellationToken);
        var matches = await Store.SearchAsync(vector, _search, cancellationToken);
        return matches.Select(m => m.Document).ToArray();
    }

    private static bool IsWeight(double weight) => weight >= 0 && !double.IsInfinity(weight);
}
