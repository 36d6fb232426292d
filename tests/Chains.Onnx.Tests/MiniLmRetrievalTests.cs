using Chains.Indexes;
using Chains.Indexes.Retrievers;
using Chains.Indexes.VectorStores;

namespace Chains.Onnx.Tests;

/// <summary>Retrieval on real all-MiniLM-L6-v2 vectors: the in-process store and the retrievers over an English and a
/// Chinese corpus, checked against the answers a reader would expect.</summary>
public sealed class MiniLmRetrievalTests(MiniLmFixture fixture)
{
    private static readonly (string Id, string Text)[] English =
    [
        ("cats", "Cats sleep for most of the day and like warm windowsills."),
        ("markets", "Stock markets fell sharply after the central bank raised interest rates."),
        ("rust", "The Rust compiler checks ownership and borrowing at compile time."),
        ("bread", "Knead the dough, let it rise for an hour, then bake the bread at 220 degrees."),
        ("football", "The home team scored twice in the second half and won the final."),
        ("volcano", "Lava from the erupting volcano flowed down toward the villages."),
    ];

    private static readonly (string Id, string Text)[] Chinese =
    [
        ("天气", "明天北京有大雨，出门记得带伞。"),
        ("股市", "今天股市大幅下跌，投资者纷纷抛售股票。"),
        ("烹饪", "把面团揉好，发酵一个小时，然后放进烤箱烤面包。"),
        ("足球", "主队在下半场打进两球，赢得了决赛。"),
        ("编程", "这个函数的时间复杂度是线性的，可以处理大量数据。"),
    ];

    public static TheoryData<string, string> EnglishQueries => new()
    {
        { "Where do cats like to nap?", "cats" },
        { "Why did share prices drop?", "markets" },
        { "How does a programming language prevent memory bugs?", "rust" },
        { "How long should I let the dough rise before baking?", "bread" },
        { "Who won the championship match?", "football" },
        { "Molten rock threatened the towns", "volcano" },
    };

    public static TheoryData<string, string> ChineseQueries => new()
    {
        { "明天会下雨吗？需要带伞吗？", "天气" },
        { "股票为什么下跌了？", "股市" },
        { "面包要发酵多久？", "烹饪" },
    };

    [Theory]
    [MemberData(nameof(EnglishQueries))]
    public async Task SimilarityRetriever_EnglishCorpus_FindsTheRelevantDocumentFirst(string query, string expectedId)
    {
        using var store = await IndexAsync(English);

        var found = await store.AsRetriever(fixture.Generator, new VectorSearchOptions { Top = 3 }).InvokeAsync(query, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(expectedId, found[0].Id);
    }

    [Theory]
    [MemberData(nameof(ChineseQueries))]
    public async Task SimilarityRetriever_ChineseCorpus_FindsTheRelevantDocumentInTopTwo(string query, string expectedId)
    {
        using var store = await IndexAsync(Chinese);

        var found = await store.AsRetriever(fixture.Generator, new VectorSearchOptions { Top = 2 }).InvokeAsync(query, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains(expectedId, found.Select(d => d.Id));
    }

    [Theory]
    [MemberData(nameof(ChineseQueries))]
    public async Task HybridRetriever_ChineseCorpus_FindsTheRelevantDocumentFirst(string query, string expectedId)
    {
        using var store = await IndexAsync(Chinese);
        var keywords = new Bm25Index();
        keywords.Upsert(Chinese.Select(d => new Document(d.Id, d.Text)));
        var retriever = new HybridRetriever(store, fixture.Generator, keywords, new HybridRetrieverOptions { Top = 2 });

        var found = await retriever.InvokeAsync(query, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(expectedId, found[0].Id);
    }

    [Fact]
    public async Task SearchAsync_RealVectors_ScoresRelevantAboveIrrelevantByAMargin()
    {
        using var store = await IndexAsync(English);
        var query = (await fixture.Generator.GenerateAsync(["A cat is sitting on a warm window ledge"], cancellationToken: TestContext.Current.CancellationToken))[0].Vector;

        var results = await store.SearchAsync(query, new VectorSearchOptions { Top = English.Length }, TestContext.Current.CancellationToken);

        Assert.Equal("cats", results[0].Document.Id);
        Assert.True(results[0].Score > 0.5, $"best score {results[0].Score}");
        Assert.True(results[0].Score - results[1].Score > 0.2, $"margin {results[0].Score} vs {results[1].Score}");
    }

    private async Task<InMemoryVectorStore> IndexAsync((string Id, string Text)[] corpus)
    {
        var embeddings = await fixture.Generator.GenerateAsync(corpus.Select(d => d.Text), cancellationToken: TestContext.Current.CancellationToken);
        var store = new InMemoryVectorStore();
        await store.UpsertAsync(corpus.Select((d, i) => new VectorRecord(new Document(d.Id, d.Text), embeddings[i].Vector)).ToArray(), TestContext.Current.CancellationToken);
        return store;
    }
}
