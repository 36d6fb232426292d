using System.Diagnostics;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Npgsql;

namespace Chains.Pgvector.Tests;

/// <summary>Transactional re-indexing with <see cref="PgvectorStore"/> as <see cref="ITransactionalIndexStore"/> and its
/// record manager, including a PostgreSQL backend killed with SIGKILL in the middle of a commit.</summary>
public sealed class PgvectorStoreIndexingTests(PostgresServer server, PrivatePostgresServer privateServer) : IClassFixture<PrivatePostgresServer>, IAsyncLifetime
{
    private readonly TestSchema _db = new(server, "indexing");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task SharesTransactionsWith_OnlyItsOwnRecordManager()
    {
        await using var store = Store("shares");
        await using var other = Store("other");

        Assert.True(store.SharesTransactionsWith(store.CreateRecordManager()));
        Assert.False(store.SharesTransactionsWith(other.CreateRecordManager()));
        Assert.False(store.SharesTransactionsWith(new InMemoryRecordManager()));
    }

    [Fact]
    public async Task IndexAsync_UnchangedChangedAndRemovedDocuments_KeepsChunksAndRecordsInStep()
    {
        await using var store = Store("corpus");
        var records = store.CreateRecordManager();
        var embedder = new HashEmbedder();
        var indexer = new Indexer(store, embedder, new LineSplitter(), records, new IndexerOptions { Cleanup = IndexCleanupMode.Full });

        var first = await indexer.IndexAsync(TestData.Stream(Docs(5, "v1")), cancellationToken: Ct);
        var callsAfterFirst = embedder.Calls;
        var unchanged = await indexer.IndexAsync(TestData.Stream(Docs(5, "v1")), cancellationToken: Ct);
        var changed = await indexer.IndexAsync(TestData.Stream(Docs(4, "v1").Select(d => d.Id == "doc1" ? d with { Content = "doc1 v2 only line" } : d)), cancellationToken: Ct);

        Assert.Equal(5, first.DocumentsAdded);
        Assert.Equal(5, unchanged.DocumentsSkipped);
        Assert.Equal(callsAfterFirst, embedder.Calls - changed.EmbeddingCalls);
        Assert.Equal((1, 1), (changed.DocumentsUpdated, changed.DocumentsDeleted));
        Assert.Equal(3L * 3 + 1, await store.CountAsync(cancellationToken: Ct));
        Assert.StartsWith("doc1#0", Assert.Single(Assert.Single(await records.GetAsync(["doc1"], Ct)).ChunkIds), StringComparison.Ordinal);
        Assert.Empty(await records.GetAsync(["doc4"], Ct));
        await AssertConsistentAsync(_db.DataSource, "corpus");
    }

    [Fact]
    public async Task CommitAsync_ChunkWithWrongDimension_ThrowsAndCommitsNothing()
    {
        await using var store = Store("atomic");
        var record = new IndexRecord("a", "h", ["a#0"], DateTimeOffset.UnixEpoch);

        await Assert.ThrowsAsync<ArgumentException>(() => store.CommitAsync(
            [
                new IndexChange("a", [TestData.Record("a#0", "ok", new float[8])], [], record),
                new IndexChange("b", [TestData.Record("b#0", "bad", new float[3])], [], record with { }),
            ],
            Ct));

        Assert.Equal(0L, await store.CountAsync(cancellationToken: Ct));
        Assert.Empty(await store.CreateRecordManager().GetAsync(["a"], Ct));
    }

    [Fact]
    public async Task IndexAsync_BackendKilledWithSigkillMidCommit_EveryDocumentStaysAtOneVersionAndARerunCompletes()
    {
        // The test server runs with synchronous_commit = off, which loses the last commits in a crash; this test needs
        // durable commits to tell a rolled-back transaction from a lost one.
        await using var dataSource = privateServer.CreateDataSource(csb =>
        {
            csb.ApplicationName = "chains-sigkill";
            csb.Options = "-c synchronous_commit=on";
        });
        await using var store = dataSource.AsVectorStore(new PgvectorStoreOptions { Table = "killed", Dimensions = 8, Index = PgvectorIndex.None, Retry = PgvectorRetryOptions.None });
        var indexer = new Indexer(store, new HashEmbedder(), new LineSplitter(), store.CreateRecordManager(), new IndexerOptions { BatchSize = 150 });
        await indexer.IndexAsync(TestData.Stream(Docs(300, "v1", lines: 40)), cancellationToken: Ct);

        var run = indexer.IndexAsync(TestData.Stream(Docs(300, "v2", lines: 40)), cancellationToken: Ct);
        var killed = await KillWriterAsync(privateServer.ConnectionString, run);
        var failure = await Record.ExceptionAsync(() => run);
        await WaitForServerAsync(dataSource);

        Assert.True(killed, "no commit was caught in flight");
        Assert.IsType<PgvectorUnavailableException>(failure);
        var versions = await VersionsAsync(dataSource);
        Assert.Contains("v1", versions.Keys); // the killed batch was rolled back
        await AssertConsistentAsync(dataSource, "killed", schema: "public");

        await using var recovered = dataSource.AsVectorStore(store.Options with { Retry = new() });
        var rerun = await new Indexer(recovered, new HashEmbedder(), new LineSplitter(), recovered.CreateRecordManager(), new IndexerOptions { BatchSize = 150 })
            .IndexAsync(TestData.Stream(Docs(300, "v2", lines: 40)), cancellationToken: Ct);

        Assert.True(rerun.DocumentsUpdated + rerun.DocumentsSkipped == 300, $"{rerun} after {string.Join(", ", versions)}");
        Assert.Equal(["v2"], (await VersionsAsync(dataSource)).Keys);
        await AssertConsistentAsync(dataSource, "killed", schema: "public");
    }

    /// <summary>Waits until a connection of the indexer holds a transaction that has written, then kills its backend.</summary>
    private static async Task<bool> KillWriterAsync(string connectionString, Task run)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "chains-monitor", Pooling = false };
        await using var monitor = new NpgsqlConnection(csb.ConnectionString);
        await monitor.OpenAsync(Ct);
        var watch = Stopwatch.StartNew();
        while (!run.IsCompleted && watch.Elapsed < TimeSpan.FromMinutes(1))
        {
            await using var cmd = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE application_name = 'chains-sigkill' AND backend_xid IS NOT NULL LIMIT 1", monitor);
            if (await cmd.ExecuteScalarAsync(Ct) is int pid)
            {
                using var kill = Process.Start("kill", ["-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync(Ct);
                return kill.ExitCode == 0;
            }
        }

        return false;
    }

    private static async Task WaitForServerAsync(NpgsqlDataSource dataSource)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                NpgsqlConnection.ClearAllPools();
                await using var connection = await dataSource.OpenConnectionAsync(Ct);
                await new NpgsqlCommand("SELECT 1", connection).ExecuteScalarAsync(Ct);
                return;
            }
            catch (Exception ex) when (RetryPolicy.IsTransient(ex) && watch.Elapsed < TimeSpan.FromMinutes(1))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, Ct);
            }
        }
    }

    /// <summary>Counts the documents per version, failing when a document's chunks mix versions.</summary>
    private static async Task<Dictionary<string, int>> VersionsAsync(NpgsqlDataSource dataSource)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT split_part(id, '#', 1) AS doc, min(substring(content from ' (v[0-9]) ')), max(substring(content from ' (v[0-9]) ')) FROM public.killed GROUP BY 1");
        var versions = new Dictionary<string, int>();
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            Assert.Equal(reader.GetString(1), reader.GetString(2));
            versions[reader.GetString(1)] = versions.GetValueOrDefault(reader.GetString(1)) + 1;
        }

        return versions;
    }

    /// <summary>Every record's chunks exist, every chunk belongs to a record, and no record is left pending.</summary>
    private async Task AssertConsistentAsync(NpgsqlDataSource dataSource, string table, string? schema = null)
    {
        var qualified = $"\"{schema ?? _db.Name}\".{table}";
        await using var missing = dataSource.CreateCommand($"SELECT count(*) FROM {qualified}_records r, unnest(r.chunk_ids) AS c(id) WHERE NOT EXISTS (SELECT 1 FROM {qualified} t WHERE t.id = c.id)");
        await using var orphans = dataSource.CreateCommand($"SELECT count(*) FROM {qualified} t WHERE NOT EXISTS (SELECT 1 FROM {qualified}_records r WHERE t.id = ANY(r.chunk_ids))");
        await using var pending = dataSource.CreateCommand($"SELECT count(*) FROM {qualified}_records WHERE content_hash IS NULL");

        Assert.Equal(0L, await missing.ExecuteScalarAsync(Ct));
        Assert.Equal(0L, await orphans.ExecuteScalarAsync(Ct));
        Assert.Equal(0L, await pending.ExecuteScalarAsync(Ct));
    }

    private PgvectorStore Store(string table) => _db.DataSource.AsVectorStore(new PgvectorStoreOptions { Schema = _db.Name, Table = table, Dimensions = 8 });

    private static IEnumerable<Document> Docs(int count, string version, int lines = 3)
        => Enumerable.Range(0, count).Select(i => new Document($"doc{i}", string.Join('\n', Enumerable.Range(0, lines).Select(l => $"doc{i} line {l} {version} text"))));
}
