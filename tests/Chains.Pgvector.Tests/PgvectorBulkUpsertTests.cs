using System.Collections.Concurrent;
using System.Diagnostics;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Npgsql;
using static Chains.Pgvector.Tests.TestData;

namespace Chains.Pgvector.Tests;

/// <summary>The COPY write path of <see cref="PgvectorStore"/>: batches of new ids copied straight into the table,
/// batches with stored ids upserted through the staging table, and concurrent writers of the same ids.</summary>
public sealed class PgvectorBulkUpsertTests(PostgresServer server) : IAsyncLifetime
{
    private const string DirectRows = "chains.pgvector.rows_copied_directly";
    private const string Conflict = "chains.pgvector.copy_conflict";
    private readonly string _schema = TestNames.Unique("bulk");
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly ConcurrentQueue<Activity> _spans = new();
    private ActivityListener _listener = null!;
    private NpgsqlDataSource _dataSource = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _dataSource = server.CreateDataSource();
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PgvectorTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("db.collection.name") is string name && name.StartsWith(_schema + ".", StringComparison.Ordinal))
                {
                    _spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        foreach (var d in _disposables)
        {
            await d.DisposeAsync();
        }

        await using (var cmd = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        await _dataSource.DisposeAsync();
    }

    [Theory]
    [InlineData("simple", true, false)]
    [InlineData("simple", false, false)]
    [InlineData("simple", true, true)]
    [InlineData("english", true, false)]
    public async Task BulkUpsertAsync_NewIds_CopiesStraightIntoTheTableAndStoresWhatThePerRowPathStores(string config, bool fullText, bool halfPrecision)
    {
        var records = MixedRecords(150);
        var options = new PgvectorStoreOptions { Dimensions = 3, TextSearchConfig = config, FullTextSearch = fullText, HalfPrecision = halfPrecision, BulkBatchSize = 40 };
        var suffix = $"{config}_{(fullText ? "fts" : "vec")}_{(halfPrecision ? "half" : "full")}";
        var bulk = Store(options with { Table = "bulk_" + suffix });
        var perRow = Store(options with { Table = "row_" + suffix, CopyThreshold = 1000 });

        Assert.Equal(150, await bulk.BulkUpsertAsync(Stream(records), Ct));
        await perRow.UpsertAsync(records, Ct);

        var batches = CopySpans(bulk);
        Assert.Equal(4, batches.Count);
        // With the 'simple' configuration the client builds the terms, so new ids skip the staging table; any other
        // configuration needs the server's to_tsvector over the staged text.
        Assert.Equal(config == "simple" ? 150L : 0L, batches.Sum(s => Convert.ToInt64(s.GetTagItem(DirectRows), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(batches, s => Assert.Null(s.GetTagItem(Conflict)));
        await AssertSameRowsAsync(perRow, bulk, 150);
    }

    [Fact]
    public async Task BulkUpsertAsync_BatchWithSomeStoredIds_CopiesTheNewOnesAndReplacesTheStoredOnes()
    {
        var store = Store(new() { Table = "mixed", Dimensions = 3, BulkBatchSize = 100 });
        await store.UpsertAsync([Record("m1", "旧的内容 old one", [1, 0, 0], ("v", 1L)), Record("m3", "old three", [0, 1, 0], ("v", 1L))], Ct);

        var batch = Enumerable.Range(0, 6).Select(i => Record($"m{i}", $"新的内容 new {i}", [1, i, 2], ("v", 2L))).ToArray();
        await store.BulkUpsertAsync(Stream(batch), Ct);

        Assert.Equal(4L, Assert.Single(CopySpans(store)).GetTagItem(DirectRows));
        var stored = await AllAsync(store);
        Assert.Equal(batch.Select(r => r.Document), stored.Select(r => r.Document));
        Assert.Equal(batch.Select(r => r.Vector.ToArray()), stored.Select(r => r.Vector.ToArray()));
        Assert.Equal(6L, await store.CountAsync(MetadataFilter.Eq("v", 2L), Ct));
        Assert.Equal(1L, await server.ScalarAsync($"SELECT count(*) FROM \"{_schema}\".mixed WHERE id = 'm1' AND terms @@ to_tsquery('simple', '新的 & new') AND NOT terms @@ to_tsquery('simple', 'old')"));
    }

    [Fact]
    public async Task BulkUpsertAsync_RepeatedIdsInOneBatch_KeepsTheLastAtTheFirstPlace()
    {
        var store = Store(new() { Table = "repeats", Dimensions = 2, BulkBatchSize = 100 });
        var records = new[]
        {
            Record("r1", "first r1", [1, 0], ("n", 1L)),
            Record("r2", "r2", [0, 1]),
            Record("r1", "second r1", [1, 1], ("n", 2L)),
            Record("r3", "r3", [1, 2]),
            Record("r1", "第三个 r1", [2, 1], ("n", 3L)),
        };

        Assert.Equal(3, await store.BulkUpsertAsync(Stream(records), Ct));

        Assert.Equal(3L, Assert.Single(CopySpans(store)).GetTagItem(DirectRows));
        var stored = await AllAsync(store);
        Assert.Equal(["r1", "r2", "r3"], stored.Select(r => r.Document.Id));
        var r1 = stored[0];
        Assert.Equal("第三个 r1", r1.Document.Content);
        Assert.Equal(3L, r1.Document.Metadata["n"]);
        Assert.Equal([2f, 1f], r1.Vector.ToArray());
    }

    [Fact]
    public async Task BulkUpsertAsync_IdInsertedByAnotherWriterAfterTheCheck_RedoesTheBatchAsAnUpsertAndLastWriterWins()
    {
        var store = Store(new() { Table = "race", Dimensions = 2, BulkBatchSize = 100 });
        await store.EnsureSchemaAsync(Ct);
        var records = Enumerable.Range(0, 20).Select(i => Record($"x{i}", $"批量 bulk {i}", [1, i], ("by", "bulk"))).ToArray();

        // The other writer's row is not committed, so the check does not see it; the direct COPY then waits on it.
        await using var other = await InsertUncommittedAsync("race", "x7");

        var load = store.BulkUpsertAsync(Stream(records), Ct);
        await WaitUntilACopyWaitsForALockAsync(load);
        await other.CommitAsync(Ct);

        Assert.Equal(20, await load);
        var span = Assert.Single(CopySpans(store));
        Assert.Equal(true, span.GetTagItem(Conflict));
        Assert.Equal(0L, span.GetTagItem(DirectRows));
        var stored = await AllAsync(store);
        Assert.Equal(records.Select(r => r.Document).OrderBy(d => d.Id, StringComparer.Ordinal), stored.Select(r => r.Document));
        Assert.Equal(20L, await server.ScalarAsync($"SELECT count(DISTINCT id) FROM \"{_schema}\".race"));
        Assert.Equal(20L, await server.ScalarAsync($"SELECT count(*) FROM \"{_schema}\".race"));
    }

    [Fact]
    public async Task BulkUpsertAsync_TwoLoadsOfOverlappingIdsAtOnce_BothSucceedAndEveryIdIsStoredOnceFromOneOfThem()
    {
        var options = new PgvectorStoreOptions { Table = "overlap", Dimensions = 2, BulkBatchSize = 50, Index = PgvectorIndex.None };
        var first = Store(options);
        var second = Store(options with { BulkParallelism = 2 });
        await first.EnsureSchemaAsync(Ct);
        await second.EnsureSchemaAsync(Ct);
        // Same ids in different orders, so the loads collide in both directions (the server may also pick one as a
        // deadlock victim; that transaction is retried).
        var ids = Enumerable.Range(0, 600).Select(i => $"o{i}").ToArray();
        var a = ids.Select((id, i) => Record(id, $"来自 A {id}", [1, i], ("by", "a"))).ToArray();
        var b = ids.Select((id, i) => Record(id, $"来自 B {id}", [2, i], ("by", "b"))).Reverse().ToArray();

        var written = await Task.WhenAll(first.BulkUpsertAsync(Stream(a), Ct), second.BulkUpsertAsync(Stream(b), Ct));

        Assert.Equal([600L, 600L], written);
        Assert.Equal(600L, await server.ScalarAsync($"SELECT count(*) FROM \"{_schema}\".overlap"));
        Assert.Equal(600L, await server.ScalarAsync($"SELECT count(DISTINCT id) FROM \"{_schema}\".overlap"));
        var stored = await AllAsync(first);
        Assert.Equal(ids.Order(StringComparer.Ordinal), stored.Select(r => r.Document.Id));
        Assert.All(stored, r =>
        {
            // Each row is one writer's version as a whole: content, metadata and vector agree.
            var by = (string)r.Document.Metadata["by"]!;
            Assert.Equal($"来自 {by.ToUpperInvariant()} {r.Document.Id}", r.Document.Content);
            Assert.Equal(by == "a" ? 1f : 2f, r.Vector.Span[0]);
        });
        Assert.Equal(1L, await server.ScalarAsync($"SELECT count(*) FROM \"{_schema}\".overlap WHERE terms @@ to_tsquery('simple', '来自 & o599')"));
    }

    [Fact]
    public async Task BulkUpsertAsync_TwoBatchesInFlightWithDisjointIds_TheSecondCommitsWhileTheFirstWaits()
    {
        var store = Store(new() { Table = "disjoint", Dimensions = 2, BulkBatchSize = 10, BulkParallelism = 2, Index = PgvectorIndex.None });
        await store.EnsureSchemaAsync(Ct);
        var first = Enumerable.Range(0, 10).Select(i => Record($"a{i}", $"第一批 first {i}", [1, i])).ToArray();
        var second = Enumerable.Range(0, 10).Select(i => Record($"c{i}", $"第二批 second {i}", [2, i])).ToArray();
        await using var other = await InsertUncommittedAsync("disjoint", "a3");

        var load = store.BulkUpsertAsync(Stream(first.Concat(second)), Ct);
        await WaitUntilACopyWaitsForALockAsync(load);

        // The first batch waits on the other writer's row; the second, sharing no id with it, is written meanwhile.
        await WaitForAsync(async () => await server.ScalarAsync($"SELECT count(*) FROM \"{_schema}\".disjoint WHERE id LIKE 'c%'") is 10L, "the second batch to commit while the first waits");
        Assert.False(load.IsCompleted);
        await other.CommitAsync(Ct);

        Assert.Equal(20, await load);
        var stored = await AllAsync(store);
        Assert.Equal(first.Concat(second).Select(r => r.Document).OrderBy(d => d.Id, StringComparer.Ordinal), stored.Select(r => r.Document));
    }

    [Fact]
    public async Task BulkUpsertAsync_IdRepeatedInALaterBatchWhileTheEarlierIsInFlight_WaitsForItSoTheLastVersionIsStored()
    {
        var store = Store(new() { Table = "ordered", Dimensions = 2, BulkBatchSize = 10, BulkParallelism = 2, Index = PgvectorIndex.None });
        await store.EnsureSchemaAsync(Ct);
        // Batch 1: a0..a8 and x (version 1); batch 2: x (version 2) and c1..c9. Batch 1 is held up by another writer.
        var first = Enumerable.Range(0, 9).Select(i => Record($"a{i}", $"first {i}", [1, i])).Append(Record("x", "旧版本 version 1", [1, 1], ("v", 1L))).ToArray();
        var second = new[] { Record("x", "新版本 version 2", [2, 2], ("v", 2L)) }.Concat(Enumerable.Range(1, 9).Select(i => Record($"c{i}", $"second {i}", [2, i]))).ToArray();
        await using var other = await InsertUncommittedAsync("ordered", "a3");

        var load = store.BulkUpsertAsync(Stream(first.Concat(second)), Ct);
        await WaitUntilACopyWaitsForALockAsync(load);

        // Were batch 2 written now, batch 1's later upsert would put version 1 of x back.
        await Task.Delay(300, Ct);
        Assert.Equal(0L, await server.ScalarAsync($"SELECT count(*) FROM \"{_schema}\".ordered WHERE id = 'x' OR id LIKE 'c%'"));
        await other.CommitAsync(Ct);

        Assert.Equal(20, await load);
        var stored = (await AllAsync(store)).ToDictionary(r => r.Document.Id, StringComparer.Ordinal);
        Assert.Equal(19, stored.Count);
        Assert.Equal("新版本 version 2", stored["x"].Document.Content);
        Assert.Equal(2L, stored["x"].Document.Metadata["v"]);
        Assert.Equal([2f, 2f], stored["x"].Vector.ToArray());
        Assert.Equal("first 3", stored["a3"].Document.Content);
    }

    [Fact]
    public async Task CommitAsync_ReindexedDocument_CopiesNewChunksUpsertsKeptOnesAndDeletesStaleOnesInOneTransaction()
    {
        var store = Store(new() { Table = "indexed", Dimensions = 2, CopyThreshold = 4 });
        var v1 = Enumerable.Range(0, 6).Select(i => Record($"a#{i}", $"第一版 v1 {i}", [1, i])).ToArray();
        await store.CommitAsync([new IndexChange("a", v1, [], new IndexRecord("a", "h1", v1.Select(r => r.Document.Id).ToArray(), DateTimeOffset.UnixEpoch))], Ct);

        var v2 = Enumerable.Range(0, 4).Select(i => Record($"a#{i}", $"第二版 v2 {i}", [2, i])).Append(Record("a#6", "第二版 v2 6", [2, 6])).ToArray();
        await store.CommitAsync([new IndexChange("a", v2, ["a#4", "a#5"], new IndexRecord("a", "h2", v2.Select(r => r.Document.Id).ToArray(), DateTimeOffset.UnixEpoch))], Ct);

        var commits = _spans.Where(s => s.OperationName == $"COMMIT {_schema}.indexed").ToList();
        Assert.Equal([6L, 1L], commits.Select(s => s.GetTagItem(DirectRows)));
        var stored = await AllAsync(store);
        Assert.Equal(v2.Select(r => r.Document), stored.Select(r => r.Document));
        Assert.Equal(v2.Select(r => r.Vector.ToArray()), stored.Select(r => r.Vector.ToArray()));
        var record = Assert.Single(await store.CreateRecordManager().GetAsync(["a"], Ct));
        Assert.Equal("h2", record.ContentHash);
        Assert.Equal(v2.Select(r => r.Document.Id), record.ChunkIds);
    }

    [Fact]
    public async Task HybridSearchAsync_AfterDirectCopyOfChineseChunks_FindsThemByTheirTerms()
    {
        var store = Store(new() { Table = "hybrid", Dimensions = 8, BulkBatchSize = 64, Index = PgvectorIndex.None });
        var random = new Random(5);
        var topics = new[] { "数据库索引的设计与优化", "机器学习模型的训练过程", "向量检索与全文搜索的结合", "分布式系统中的一致性协议", "自然语言处理中的分词方法" };
        var records = Enumerable.Range(0, 200).Select(i => Record($"h{i}", $"第{i}段：{topics[i % topics.Length]}。", RandomVector(random, 8))).ToArray();

        await store.BulkUpsertAsync(Stream(records), Ct);

        Assert.Equal(200L, CopySpans(store).Sum(s => Convert.ToInt64(s.GetTagItem(DirectRows), System.Globalization.CultureInfo.InvariantCulture)));
        var results = await store.HybridSearchAsync("全文搜索", RandomVector(random, 8), new HybridSearchOptions { Top = 5, Candidates = 50 }, Ct);
        Assert.Equal(5, results.Count);
        Assert.All(results, r => Assert.Contains("向量检索与全文搜索的结合", r.Document.Content, StringComparison.Ordinal));
    }

    /// <summary>Records with English, Chinese, Japanese and quoting content, rows over 2 kB, metadata of several
    /// types, optional source and span.</summary>
    private static VectorRecord[] MixedRecords(int count) => Enumerable.Range(0, count).Select(i => new VectorRecord(
        new Document(
            $"d{i}",
            (i % 3) switch
            {
                0 => $"English texts {i} running",
                1 => $"中文内容 {i} 向量数据库的全文检索",
                _ => $"O'Brien's \\ 'quoted' 𠀀𠀁 日本語テキスト {string.Join(' ', Enumerable.Repeat("again", 300))} {new string('y', 2100)}",
            },
            new DocumentMetadata(new Dictionary<string, object?> { ["i"] = (long)i, ["x"] = i / 3.0, ["when"] = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(i % 12)), ["tags"] = new[] { "t" + (i % 5), "标签" } }),
            i % 3 == 0 ? null : $"src/{i}.md",
            i % 4 == 0 ? null : new SourceSpan(i, i + 1)),
        new float[] { 1, i * 0.37f, -i })).ToArray();

    private async Task AssertSameRowsAsync(PgvectorStore expected, PgvectorStore actual, int count)
    {
        var want = await AllAsync(expected);
        var got = await AllAsync(actual);
        Assert.Equal(count, got.Count);
        Assert.Equal(want.Select(r => r.Document), got.Select(r => r.Document));
        Assert.Equal(want.Select(r => r.Vector.ToArray()), got.Select(r => r.Vector.ToArray()));
        Assert.Equal(
            await server.ScalarAsync($"SELECT string_agg(id || '=' || terms::text, '|' ORDER BY id) FROM \"{_schema}\".{expected.Options.Table}"),
            await server.ScalarAsync($"SELECT string_agg(id || '=' || terms::text, '|' ORDER BY id) FROM \"{_schema}\".{actual.Options.Table}"));
    }

    /// <summary>Reads every row with its vector, by id.</summary>
    private static async Task<List<VectorSearchResult>> AllAsync(PgvectorStore store)
        => [.. (await store.WithQueryOptions(new PgvectorQueryOptions { Exact = true }).SearchAsync(new float[store.Options.Dimensions], new VectorSearchOptions { Top = 10_000, IncludeVectors = true }, Ct))
            .OrderBy(r => r.Document.Id, StringComparer.Ordinal)];

    /// <summary>The COPY spans of a store's table, one per batch.</summary>
    private List<Activity> CopySpans(PgvectorStore store)
        => [.. _spans.Where(s => s.OperationName == $"COPY {_schema}.{store.Options.Table}")];

    /// <summary>Waits until a COPY into this test's schema is blocked on a lock (the other writer's uncommitted row).</summary>
    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(20, Ct);
        }

        Assert.Fail($"Waited 30 s for {what}.");
    }

    /// <summary>Another writer inserts a row with <paramref name="id"/> and leaves its transaction open: a COPY of the
    /// same id waits on it until the returned transaction commits.</summary>
    private async Task<NpgsqlTransaction> InsertUncommittedAsync(string table, string id)
    {
        var connection = await _dataSource.OpenConnectionAsync(Ct);
        _disposables.Add(connection);
        var tx = await connection.BeginTransactionAsync(Ct);
        await using var insert = new NpgsqlCommand($"INSERT INTO \"{_schema}\".{table} (id, content, embedding) VALUES ($1, 'other writer', '[0,0]')", connection, tx);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        await insert.ExecuteNonQueryAsync(Ct);
        return tx;
    }

    private async Task WaitUntilACopyWaitsForALockAsync(Task load)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            Assert.False(load.IsCompleted, "The load finished without waiting for the other writer's row.");
            var waiting = await server.ScalarAsync(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'COPY %' AND position($1 in query) > 0",
                _schema);
            if (waiting is 1L)
            {
                return;
            }

            await Task.Delay(20, Ct);
        }

        Assert.Fail("No COPY waited for the other writer's row within 30 s.");
    }

    private PgvectorStore Store(PgvectorStoreOptions options)
    {
        var store = _dataSource.AsVectorStore(options with { Schema = _schema });
        _disposables.Add(store);
        return store;
    }
}
