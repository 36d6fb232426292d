using Chains.Indexes;
using Chains.Indexes.Retrievers;
using Chains.Indexes.VectorStores;

namespace Chains.Tests.Indexes.Retrievers;

public class MaxMarginalRelevanceRetrieverTests
{
    // Two near-duplicates about rates and one different document that still shares the query's words.
    private static readonly Document[] Documents =
    [
        new("rates-1", "interest rates rose again this year"),
        new("rates-2", "interest rates rose again this year, again"),
        new("rates-home", "interest on a home loan"),
        new("cats", "the cat sleeps"),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_LambdaOne_RanksByRelevanceOnly()
    {
        using var store = await TestCorpus.StoreAsync(Documents, Ct);
        var retriever = new MaxMarginalRelevanceRetriever(store, new BagOfWordsEmbeddingGenerator(), new MaxMarginalRelevanceRetrieverOptions { Top = 2, Lambda = 1 });

        var documents = await retriever.InvokeAsync("interest rates rose", cancellationToken: Ct);

        Assert.Equal(["rates-1", "rates-2"], TestCorpus.Ids(documents));
    }

    [Fact]
    public async Task InvokeAsync_LowLambda_SkipsTheNearDuplicate()
    {
        using var store = await TestCorpus.StoreAsync(Documents, Ct);
        var retriever = new MaxMarginalRelevanceRetriever(store, new BagOfWordsEmbeddingGenerator(), new MaxMarginalRelevanceRetrieverOptions { Top = 2, FetchTop = 3, Lambda = 0.3 });

        var documents = await retriever.InvokeAsync("interest rates rose", cancellationToken: Ct);

        Assert.Equal(["rates-1", "rates-home"], TestCorpus.Ids(documents));
    }

    [Fact]
    public async Task InvokeAsync_Filter_AppliesToCandidates()
    {
        using var store = new InMemoryVectorStore();
        await store.UpsertAsync(Documents.Select((d, i) => new VectorRecord(d with { Metadata = new DocumentMetadata([new("n", i)]) }, BagOfWordsEmbeddingGenerator.Embed(d.Content))).ToArray(), Ct);
        var retriever = new MaxMarginalRelevanceRetriever(store, new BagOfWordsEmbeddingGenerator(), new MaxMarginalRelevanceRetrieverOptions { Top = 4, Filter = MetadataFilter.Gte("n", 2) });

        var documents = await retriever.InvokeAsync("interest rates rose", cancellationToken: Ct);

        Assert.Equal(["rates-home", "cats"], TestCorpus.Ids(documents));
    }

    [Fact]
    public async Task InvokeAsync_StoreReturnsNoVectors_ThrowsNamingTheStore()
    {
        var retriever = new MaxMarginalRelevanceRetriever(new VectorlessStore(), new BagOfWordsEmbeddingGenerator());

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await retriever.InvokeAsync("anything", cancellationToken: Ct));

        Assert.Contains(nameof(VectorlessStore), ex.Message, StringComparison.Ordinal);
        Assert.Contains("IncludeVectors", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_ThreeCandidates_PicksMostRelevantThenTradesOffRedundancy()
    {
        float[] query = [1, 0];
        VectorSearchResult[] candidates =
        [
            new(new Document("far", "x"), 0) { Vector = new float[] { 0, 1 } },
            new(new Document("near", "x"), 0) { Vector = new float[] { 1, 0.1f } },
            new(new Document("mid", "x"), 0) { Vector = new float[] { 1, 1 } },
        ];

        var picked = MaxMarginalRelevanceRetriever.Select(query, candidates, top: 3, lambda: 0.5);

        // near first; then mid (relevance 0.71, similarity to near 0.77) beats far (relevance 0, similarity 0.10) at λ = 0.5.
        Assert.Equal([1, 2, 0], picked);
    }

    [Theory]
    [InlineData(0, 20, 0.5)]
    [InlineData(5, 4, 0.5)]
    [InlineData(2, 4, -0.1)]
    [InlineData(2, 4, 1.5)]
    [InlineData(2, 4, double.NaN)]
    public void Constructor_InvalidOptions_Throw(int top, int fetchTop, double lambda)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new MaxMarginalRelevanceRetriever(new VectorlessStore(), new BagOfWordsEmbeddingGenerator(), new MaxMarginalRelevanceRetrieverOptions { Top = top, FetchTop = fetchTop, Lambda = lambda }));

    private sealed class VectorlessStore : IVectorStore
    {
        public Task UpsertAsync(IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<int> DeleteAsync(VectorSelection selection, CancellationToken cancellationToken = default) => Task.FromResult(0);

        public Task<IReadOnlyList<VectorSearchResult>> SearchAsync(ReadOnlyMemory<float> vector, VectorSearchOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult<IReadOnlyList<VectorSearchResult>>([new VectorSearchResult(new Document("d", "d"), 1)]);
    }
}
