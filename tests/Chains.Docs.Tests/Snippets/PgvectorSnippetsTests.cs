using System.Text;
using Chains.Agents.Graph;
using Chains.Docs.Snippets;
using Chains.Docs.Tests.Fakes;
using Chains.Docs.Tests.Pages;
using Chains.Docs.Tests.Support;
using Chains.Indexes;
using Chains.Memory;
using Chains.Onnx;
using Chains.Pgvector;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chains.Docs.Tests.Snippets;

/// <summary>Runs docs/pgvector.md against a real PostgreSQL 17 + pgvector: each test on a database of its own, so the
/// page's fixed table names meet nothing else.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class PgvectorSnippetsTests(PostgresDatabase postgres) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("chains-docs-pg-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task Setup_CreatesTheTableAtStartUp()
    {
        var database = await postgres.CreateDatabaseAsync();

        var count = await PgvectorSnippets.SetupAsync(database);

        Assert.Equal(0, count);
        Assert.Equal(true, await ScalarAsync(database, "SELECT to_regclass('public.docs') IS NOT NULL"));
    }

    [Fact]
    public async Task IndexOptions_BuildsTheConfiguredHnswIndexAndBothViewsFindTheNearest()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var dataSource = PostgresDatabase.CreateDataSource(database);
        var records = RandomRecords(300, seed: 1);

        var (precise, exact) = await PgvectorSnippets.IndexOptionsAsync(dataSource, records, records[7].Vector);

        Assert.Equal("r7", precise[0].Document.Id);
        Assert.Equal("r7", exact[0].Document.Id);
        Assert.Equal(5, exact.Count);
        var index = (string?)await ScalarAsync(database, "SELECT indexdef FROM pg_indexes WHERE tablename = 'docs' AND indexdef LIKE '%hnsw%'");
        Assert.Contains("m='24'", index, StringComparison.Ordinal);
        Assert.Contains("ef_construction='128'", index, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TuneRecall_MeasuresIncreasingEfSearchAndTheTunedStoreSearches()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var dataSource = PostgresDatabase.CreateDataSource(database);
        await using var store = dataSource.AsVectorStore(new PgvectorStoreOptions { Table = "docs", Dimensions = 384 });
        await store.BulkUpsertAsync(RandomRecords(2000, seed: 2).ToAsyncEnumerable(), Ct);
        var samples = RandomRecords(30, seed: 3).Select(r => r.Vector).ToList();

        var (tuning, tuned) = await PgvectorSnippets.TuneRecallAsync(store, samples);

        Assert.Equal("hnsw.ef_search", tuning.Setting);
        Assert.NotEmpty(tuning.Measurements);
        Assert.All(tuning.Measurements, m => Assert.InRange(m.Recall, 0, 1));
        if (tuning.Recommended is { } recommended)
        {
            Assert.Equal(recommended, tuning.RecommendedQueryOptions!.EfSearch);
            Assert.True(tuning.Measurements.First(m => m.Value == recommended).Recall >= 0.95);
        }

        Assert.Equal(10, (await tuned.SearchAsync(samples[0], new VectorSearchOptions { Top = 10 }, Ct)).Count);
        Assert.Contains("hnsw.ef_search = ", Output.Current, StringComparison.Ordinal);
        Assert.Contains("recall@10", Output.Current, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HybridSearch_AChineseQuestionFindsTheChinesePassageThatSharesItsWords()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var dataSource = PostgresDatabase.CreateDataSource(database);
        await using var store = dataSource.AsVectorStore(new PgvectorStoreOptions { Table = "docs", Dimensions = 384 });
        using var embeddings = new MiniLmEmbeddingGenerator();
        await UpsertAsync(store, embeddings, Passages());

        var results = await PgvectorSnippets.HybridSearchAsync(store, embeddings);

        Assert.Equal("cat", results[0].Document.Id);
        Assert.All(results, r => Assert.Equal("zh", r.Document.Metadata.GetString("lang")));

        var retrieved = await PgvectorSnippets.HybridRetriever(store, embeddings).InvokeAsync("猫喜欢在哪里睡觉？", cancellationToken: Ct);
        Assert.Equal("cat", retrieved[0].Id);
        Assert.InRange(retrieved.Count, 1, 4);
    }

    [Fact]
    public async Task Indexer_SecondRunSkipsUnchangedFilesWithTheStoresOwnRecords()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var dataSource = PostgresDatabase.CreateDataSource(database);
        await using var store = dataSource.AsVectorStore(new PgvectorStoreOptions { Table = "docs", Dimensions = 384 });
        using var embeddings = new MiniLmEmbeddingGenerator();
        await File.WriteAllTextAsync(Path.Combine(_folder.FullName, "cats.md"), "# 猫\n\n猫喜欢在窗台上睡觉。", Ct);
        await File.WriteAllTextAsync(Path.Combine(_folder.FullName, "bread.md"), "# Bread\n\nLet the dough rise for an hour.", Ct);

        var first = await PgvectorSnippets.IndexAsync(store, embeddings, _folder.FullName, progress: null);
        var second = await PgvectorSnippets.IndexAsync(store, embeddings, _folder.FullName, progress: null);

        Assert.Equal(2, first.DocumentsAdded);
        Assert.Equal(2, second.DocumentsSkipped);
        Assert.Equal(0, second.EmbeddingCalls);
        Assert.Equal(2L, await ScalarAsync(database, "SELECT count(*) FROM docs_records"));
        Assert.Contains("2 added, 0 updated, 0 unchanged", Output.Current, StringComparison.Ordinal);
        Assert.Contains("0 added, 0 updated, 2 unchanged", Output.Current, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatHistory_TheQuestionAndTheAnswerAreStoredInTheSession()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var dataSource = PostgresDatabase.CreateDataSource(database);

        var history = await PgvectorSnippets.ChatHistoryAsync(dataSource, TestChatClient.Echo());

        var messages = await history.LoadAsync("user-42", Ct);
        Assert.Equal([ChatRole.User, ChatRole.Assistant], messages.Select(m => m.Role));
        Assert.All(messages, m => Assert.Equal("我叫小明。", m.Text));
    }

    [Fact]
    public async Task Checkpoints_TheGraphPausesAndResumesFromItsCheckpointsInPostgres()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var dataSource = PostgresDatabase.CreateDataSource(database);
        var stateGraph = new StateGraph<Draft>()
            .AddNode("write", d => d with { Text = $"关于{d.Topic}的短文" })
            .AddNode("publish", d => d with { Published = true })
            .AddEdge(StateGraph.Start, "write")
            .AddEdge("write", "publish")
            .AddEdge("publish", StateGraph.End);

        var (paused, resumed) = await PgvectorSnippets.CheckpointsAsync(dataSource, stateGraph);

        Assert.Equal(GraphStatus.Interrupted, paused.Status);
        Assert.Equal(["publish"], paused.NextNodes);
        Assert.Equal(GraphStatus.Completed, resumed.Status);
        Assert.True(resumed.State.Published);
        Assert.Equal("关于长城的短文", resumed.State.Text);
        Assert.InRange((long)(await ScalarAsync(database, "SELECT count(*) FROM agent_checkpoints WHERE thread_id = 'ticket-1234'"))!, 2, 20);
    }

    [Fact]
    public async Task Register_ThePagesSettingsMakeAWorkingStore()
    {
        var database = await postgres.CreateDatabaseAsync();
        var json = "{" + Assert.Single(DocPage.Load(Path.Combine(SnippetSource.RepoRoot, "docs", "pgvector.md")).Blocks, b => b.Language == "json").Content + "}";
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)))
            .AddInMemoryCollection([new("Chains:Pgvector:ConnectionString", database)])   // the test server instead of "db"
            .Build();

        await using var provider = PgvectorSnippets.Register(configuration).BuildServiceProvider();

        var store = Assert.IsType<PgvectorStore>(provider.GetRequiredService<IVectorStore>());
        Assert.Equal(("docs", 384, PgvectorDistance.Cosine), (store.Options.Table, store.Options.Dimensions, store.Options.Distance));
        Assert.Equal(PgvectorIndex.Hnsw(16, 64), store.Options.Index);
        Assert.Equal((100, PgvectorIterativeScan.RelaxedOrder), (store.Options.Query.EfSearch, store.Options.Query.IterativeScan));
        Assert.Equal(new PgvectorRetryOptions { MaxRetries = 4, InitialDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(5) }, store.Options.Retry);
        var records = RandomRecords(3, seed: 4);
        await store.UpsertAsync(records, Ct);
        Assert.Equal("r1", (await store.SearchAsync(records[1].Vector, new VectorSearchOptions { Top = 1 }, Ct))[0].Document.Id);
    }

    [Fact]
    public async Task RegisterStores_HistoryAndCheckpointsUseTheContainersDataSource()
    {
        var database = await postgres.CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddSingleton(_ => PostgresDatabase.CreateDataSource(database));

        PgvectorSnippets.RegisterStores(services);

        await using var provider = services.BuildServiceProvider();
        var history = Assert.IsType<PgvectorChatHistoryStore>(provider.GetRequiredService<IChatHistoryStore>());
        await history.AppendAsync("s", [new ChatMessage(ChatRole.User, "你好")], Ct);
        Assert.Equal("你好", Assert.Single(await history.LoadAsync("s", Ct)).Text);
        var checkpoints = Assert.IsType<PgvectorCheckpointStore>(provider.GetRequiredService<ICheckpointStore>());
        await checkpoints.EnsureSchemaAsync(Ct);
        Assert.Equal(true, await ScalarAsync(database, "SELECT to_regclass('public.chains_checkpoints') IS NOT NULL"));
    }

    private static Document[] Passages() =>
    [
        new("cat", "猫喜欢在窗台上睡觉，那里又暖和又安静。", new DocumentMetadata([new("lang", "zh")])),
        new("dog", "狗每天需要散步两次，还喜欢玩球。", new DocumentMetadata([new("lang", "zh")])),
        new("bread", "面包的面团需要发酵一个小时，然后再烤。", new DocumentMetadata([new("lang", "zh")])),
        new("cat-en", "Cats like to sleep on warm windowsills.", new DocumentMetadata([new("lang", "en")])),
    ];

    private static async Task UpsertAsync(IVectorStore store, IEmbeddingGenerator<string, Embedding<float>> embeddings, Document[] docs)
    {
        var vectors = await embeddings.GenerateAsync(docs.Select(d => d.Content), cancellationToken: Ct);
        await store.UpsertAsync([.. docs.Select((d, i) => new VectorRecord(d, vectors[i].Vector))], Ct);
    }

    /// <summary>Deterministic random unit vectors of 384 dimensions, ids r0, r1...</summary>
    private static List<VectorRecord> RandomRecords(int count, int seed)
    {
        var random = new Random(seed);
        var records = new List<VectorRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var v = new float[384];
            for (var j = 0; j < v.Length; j++)
            {
                v[j] = (float)(random.NextDouble() * 2 - 1);
            }

            var norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
            System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
            records.Add(new VectorRecord(new Document($"r{i}", $"record {i}"), v));
        }

        return records;
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(Ct);
        return value is DBNull ? null : value;
    }
}
