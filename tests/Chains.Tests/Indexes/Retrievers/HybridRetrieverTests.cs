using Chains.Indexes;
using Chains.Indexes.Retrievers;
using Chains.Indexes.VectorStores;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Indexes.Retrievers;

public class HybridRetrieverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_ChineseCorpus_FindsTheDocumentWithTheQueryTerms()
    {
        var (store, index) = await BuildAsync(TestCorpus.Chinese);
        using (store)
        {
            var retriever = new HybridRetriever(store, new BagOfWordsEmbeddingGenerator(), index, new HybridRetrieverOptions { Top = 2 });

            var documents = await retriever.InvokeAsync("哪里可以用相似度检索嵌入？", cancellationToken: Ct);

            Assert.Equal("zh-vector", documents[0].Id);
        }
    }

    [Fact]
    public async Task InvokeAsync_KeywordOnlyMatch_IsFusedIntoTheResults()
    {
        // The "vector" side is blind (constant embeddings): only BM25 can find the exact product code.
        Document[] documents =
        [
            new("manual", "Error E-4711 means the pump is blocked."),
            new("faq", "How do I clean the pump?"),
            new("other", "Opening hours and contact details."),
        ];
        using var store = new InMemoryVectorStore();
        await store.UpsertAsync(documents.Select((d, i) => new VectorRecord(d, new float[] { 1, i })).ToArray(), Ct);
        var index = new Bm25Index();
        index.Upsert(documents);
        var retriever = new HybridRetriever(store, new ConstantEmbeddingGenerator([1, 100]), index, new HybridRetrieverOptions { Top = 2 });

        var results = await retriever.InvokeAsync("what does E-4711 mean", cancellationToken: Ct);

        Assert.Contains("manual", TestCorpus.Ids(results));
    }

    [Fact]
    public async Task InvokeAsync_Weights_DecideBetweenSides()
    {
        Document[] documents = [new("kw", "zebra"), new("vec", "unrelated words")];
        using var store = new InMemoryVectorStore();
        await store.UpsertAsync([new VectorRecord(documents[0], new float[] { 0, 1 }), new VectorRecord(documents[1], new float[] { 1, 0 })], Ct);
        var index = new Bm25Index();
        index.Upsert(documents);
        var embedder = new ConstantEmbeddingGenerator([1, 0]);

        var keywordHeavy = new HybridRetriever(store, embedder, index, new HybridRetrieverOptions { Top = 1, KeywordWeight = 3, MinVectorScore = 0.5 });
        var vectorHeavy = new HybridRetriever(store, embedder, index, new HybridRetrieverOptions { Top = 1, VectorWeight = 3, MinVectorScore = 0.5 });
        var keywordsOnly = new HybridRetriever(store, embedder, index, new HybridRetrieverOptions { Top = 2, VectorWeight = 0 });

        Assert.Equal(["kw"], TestCorpus.Ids(await keywordHeavy.InvokeAsync("zebra", cancellationToken: Ct)));
        Assert.Equal(["vec"], TestCorpus.Ids(await vectorHeavy.InvokeAsync("zebra", cancellationToken: Ct)));
        Assert.Equal(["kw"], TestCorpus.Ids(await keywordsOnly.InvokeAsync("zebra", cancellationToken: Ct)));
        Assert.Equal(2, embedder.Calls); // a zero-weight side is not searched at all
    }

    [Fact]
    public async Task InvokeAsync_Filter_AppliesToBothSides()
    {
        var (store, index) = await BuildAsync(TestCorpus.Chinese);
        using (store)
        {
            var retriever = new HybridRetriever(store, new BagOfWordsEmbeddingGenerator(), index, new HybridRetrieverOptions { Top = 5, Filter = MetadataFilter.Eq("lang", "en") });

            var documents = await retriever.InvokeAsync("向量数据库 vector", cancellationToken: Ct);

            Assert.Equal(["en-vector"], TestCorpus.Ids(documents));
        }
    }

    [Fact]
    public void Constructor_InvalidOptions_Throw()
    {
        using var store = new InMemoryVectorStore();
        var embedder = new BagOfWordsEmbeddingGenerator();
        var index = new Bm25Index();
        Assert.Throws<ArgumentOutOfRangeException>(() => new HybridRetriever(store, embedder, index, new HybridRetrieverOptions { Top = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HybridRetriever(store, embedder, index, new HybridRetrieverOptions { Top = 5, FetchTop = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HybridRetriever(store, embedder, index, new HybridRetrieverOptions { RrfK = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HybridRetriever(store, embedder, index, new HybridRetrieverOptions { VectorWeight = 0, KeywordWeight = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HybridRetriever(store, embedder, index, new HybridRetrieverOptions { KeywordWeight = double.NaN }));
        Assert.Throws<ArgumentNullException>(() => new HybridRetriever(store, embedder, null!));
    }

    private static async Task<(InMemoryVectorStore Store, Bm25Index Index)> BuildAsync(Document[] documents)
    {
        var store = await TestCorpus.StoreAsync(documents, Ct);
        var index = new Bm25Index();
        index.Upsert(documents);
        return (store, index);
    }

    private sealed class ConstantEmbeddingGenerator(float[] vector) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private int _calls;

        public int Calls => _calls;

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(vector))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
