using Chains.Indexes;
using Npgsql;
using static Chains.Pgvector.Tests.TestData;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="HybridSearch"/> through <see cref="PgvectorStore.HybridSearchAsync"/>: full text and vectors fused
/// by reciprocal rank in one statement, including Chinese, which PostgreSQL's own parsers cannot split.</summary>
public sealed class HybridSearchTests(PostgresServer server) : IAsyncLifetime
{
    /// <summary>Twenty short Chinese documents, each with a distinctive term.</summary>
    private static readonly string[] ChineseCorpus =
    [
        "量子计算利用量子比特进行并行运算。",
        "深度学习模型需要大量的训练数据。",
        "北京是中国的首都，有故宫和长城。",
        "上海是重要的金融中心和港口城市。",
        "熊猫主要生活在四川的竹林里。",
        "太阳能电池把光能转换成电能。",
        "中医使用草药和针灸治疗疾病。",
        "高铁让城市之间的旅行更加快捷。",
        "围棋是一种古老的策略棋类游戏。",
        "茶文化在中国有几千年的历史。",
        "火锅是四川和重庆的特色美食。",
        "区块链技术可以记录不可篡改的交易。",
        "长江是亚洲最长的河流。",
        "春节是中国最重要的传统节日。",
        "数据库索引可以加快查询速度。",
        "向量检索通过嵌入寻找相似的文本。",
        "地震是由地壳运动引起的自然灾害。",
        "京剧是中国的国粹，融合了唱念做打。",
        "电动汽车使用锂电池作为动力来源。",
        "敦煌莫高窟保存了大量的壁画。",
    ];

    /// <summary>Queries with the index of the one relevant document.</summary>
    private static readonly (string Query, int Relevant)[] ChineseQueries =
    [
        ("量子比特", 0), ("训练数据", 1), ("故宫", 2), ("金融中心", 3), ("熊猫", 4), ("太阳能", 5), ("针灸", 6), ("高铁", 7),
        ("围棋", 8), ("区块链", 11), ("长江", 12), ("春节", 13), ("数据库索引", 14), ("锂电池", 18), ("莫高窟", 19),
        ("四川的美食有哪些", 10), ("哪里可以看到壁画？", 19), ("介绍一下京剧", 17),
    ];

    private readonly TestSchema _db = new(server, "hybrid");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HybridSearchAsync_ChineseCorpusWithUninformativeVectors_FindsTheRelevantDocumentByItsTerms(bool viaCopy)
    {
        await using var store = Store("zh", viaCopy: viaCopy);
        var random = new Random(9);
        await store.UpsertAsync(ChineseCorpus.Select((c, i) => Record($"zh{i}", c, RandomVector(random, 8))).ToArray(), Ct);

        var hits = 0;
        var naiveHits = 0;
        foreach (var (query, relevant) in ChineseQueries)
        {
            var results = await store.HybridSearchAsync(query, RandomVector(random, 8), new HybridSearchOptions { Top = 3 }, Ct);
            hits += Ids(results).Contains($"zh{relevant}") ? 1 : 0;
            naiveHits += (long)(await server.ScalarAsync(
                $"SELECT count(*) FROM \"{_db.Name}\".{store.Options.Table} WHERE id = $1 AND to_tsvector('simple', content) @@ plainto_tsquery('simple', $2)",
                $"zh{relevant}",
                query))! > 0 ? 1 : 0;
        }

        var recall = (double)hits / ChineseQueries.Length;
        var naiveRecall = (double)naiveHits / ChineseQueries.Length;
        Assert.True(recall >= 0.95, $"hybrid recall@3 on the Chinese corpus is {recall:0.00}");
        Assert.True(naiveRecall <= 0.2, $"PostgreSQL's own 'simple' parser found {naiveRecall:0.00}; the corpus no longer shows why bigrams are needed");
    }

    [Fact]
    public async Task HybridSearchAsync_TextOnlyVectorOnlyAndBothMatches_FusesThemWithBothFirst()
    {
        await using var store = Store("fusion");
        var query = new float[] { 1, 0, 0, 0 };
        await store.UpsertAsync(
        [
            Record("both", "pgvector hybrid search in PostgreSQL", [0.9f, 0.1f, 0, 0]),
            Record("vector", "completely unrelated words", [1, 0, 0, 0]),
            Record("text", "a hybrid approach", [-1, 0, 0, 0]),
            Record("neither", "gardening tips for spring", [0, 0, 1, 0]),
        ], Ct);

        var results = await store.HybridSearchAsync("hybrid search", query, new HybridSearchOptions { Top = 3, Candidates = 2 }, Ct);

        Assert.Equal("both", results[0].Document.Id);
        Assert.True(Ids(results).SequenceEqual(["both", "vector", "text"]), string.Join("; ", results.Select(r => $"{r.Document.Id} {r.Score}"))); // "text" matches one word, so ranks second in its list
        Assert.DoesNotContain("neither", Ids(results));
        Assert.Equal((1.0 / 61) + (1.0 / 62), results[0].Score, 1e-9);
    }

    [Fact]
    public async Task HybridSearchAsync_WeightsAndFilter_ApplyToBothLists()
    {
        await using var store = Store("weights");
        await store.UpsertAsync(
        [
            Record("vector", "nothing in common", [1, 0], ("lang", "en")),
            Record("text", "postgres full text", [0, 1], ("lang", "en")),
            Record("filtered", "postgres full text", [1, 0], ("lang", "de")),
        ], Ct);

        var textHeavy = await store.HybridSearchAsync("postgres", new float[] { 1, 0 }, new HybridSearchOptions { Top = 2, VectorWeight = 0, Filter = MetadataFilter.Eq("lang", "en") }, Ct);
        var vectorHeavy = await store.HybridSearchAsync("postgres", new float[] { 1, 0 }, new HybridSearchOptions { Top = 2, TextWeight = 0, Filter = MetadataFilter.Eq("lang", "en") }, Ct);

        Assert.Equal(["text", "vector"], Ids(textHeavy));
        Assert.Equal(["vector", "text"], Ids(vectorHeavy));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HybridSearchAsync_EnglishConfig_MatchesStemmedWordsAndStillSplitsChinese(bool viaCopy)
    {
        await using var store = Store("english", "english", viaCopy);
        await store.UpsertAsync(
        [
            Record("dogs", "The dogs were running in the park", [0, 1]),
            Record("cats", "Cats sleep all day", [0, 1]),
            Record("mixed", "Mixed text: 向量数据库 and more", [0, 1]),
        ], Ct);

        var dog = await store.HybridSearchAsync("dog runs", new float[] { 1, 0 }, new HybridSearchOptions { Top = 1 }, Ct);
        var zh = await store.HybridSearchAsync("数据库", new float[] { 1, 0 }, new HybridSearchOptions { Top = 1 }, Ct);

        Assert.Equal(["dogs"], Ids(dog));
        Assert.Equal(["mixed"], Ids(zh));
    }

    [Fact]
    public async Task HybridSearchAsync_QueryWithoutWords_RanksByVectorAlone()
    {
        await using var store = Store("noterms");
        await store.UpsertAsync([Record("a", "alpha", [1, 0]), Record("b", "beta", [0, 1])], Ct);

        var results = await store.HybridSearchAsync("?! ...", new float[] { 0, 1 }, new HybridSearchOptions { Top = 2 }, Ct);

        Assert.Equal(["b", "a"], Ids(results));
        Assert.Equal(1.0 / 61, results[0].Score, 1e-9);
    }

    /// <summary>Creates a store; <paramref name="viaCopy"/> sends every write through binary COPY (binary terms), otherwise
    /// small writes go row by row (text terms).</summary>
    private PgvectorStore Store(string table, string config = "simple", bool viaCopy = false)
        => _db.DataSource.AsVectorStore(new PgvectorStoreOptions
        {
            Schema = _db.Name,
            Table = viaCopy ? table + "_copy" : table,
            Dimensions = table switch { "zh" => 8, "fusion" => 4, _ => 2 },
            TextSearchConfig = config,
            CopyThreshold = viaCopy ? 1 : 64,
        });
}
