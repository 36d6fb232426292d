using Chains.Indexes.Indexing;
using Npgsql;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="PgvectorRecordManager"/>: index records in PostgreSQL next to the store's table.</summary>
public sealed class PgvectorRecordManagerTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly DateTimeOffset When = new(2025, 3, 1, 12, 30, 0, TimeSpan.FromHours(2));
    private readonly string _schema = TestNames.Unique("records");
    private NpgsqlDataSource _dataSource = null!;
    private PgvectorStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _dataSource = server.CreateDataSource();
        _store = _dataSource.AsVectorStore(new PgvectorStoreOptions { Schema = _schema, Table = "chunks", Dimensions = 2 });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        await using (var cmd = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        await _dataSource.DisposeAsync();
    }

    [Fact]
    public async Task UpsertAsync_FinalAndPendingRecords_GetReturnsThemAsWritten()
    {
        var records = _store.CreateRecordManager();

        await records.UpsertAsync([new IndexRecord("a.md", "hash-a", ["a.md#0", "a.md#1"], When), new IndexRecord("文档.md", null, ["文档.md#0"], When)], Ct);

        var found = (await records.GetAsync(["a.md", "文档.md", "missing"], Ct)).OrderBy(r => r.SourceId, StringComparer.Ordinal).ToArray();
        Assert.Equal(2, found.Length);
        Assert.Equal(("a.md", "hash-a", false), (found[0].SourceId, found[0].ContentHash, found[0].IsPending));
        Assert.Equal(["a.md#0", "a.md#1"], found[0].ChunkIds);
        Assert.Equal(When, found[0].IndexedAt);
        Assert.True(found[1].IsPending);
        Assert.Equal("1", (await server.ScalarAsync($"SELECT count(*)::text FROM \"{_schema}\".chunks_records WHERE content_hash IS NULL")));
    }

    [Fact]
    public async Task UpsertAsync_ExistingSource_ReplacesTheRecord()
    {
        var records = _store.CreateRecordManager();
        await records.UpsertAsync([new IndexRecord("a", "h1", ["a#0", "a#1"], When)], Ct);

        await records.UpsertAsync([new IndexRecord("a", "h2", ["a#0"], When.AddDays(1))], Ct);

        var record = Assert.Single(await records.GetAsync(["a"], Ct));
        Assert.Equal("h2", record.ContentHash);
        Assert.Equal(["a#0"], record.ChunkIds);
    }

    [Fact]
    public async Task ListAsync_MoreRecordsThanOnePage_YieldsEachOnce()
    {
        var records = _store.CreateRecordManager();
        await records.UpsertAsync(Enumerable.Range(0, 2345).Select(i => new IndexRecord($"doc{i:00000}", "h", [$"doc{i}#0"], When)).ToArray(), Ct);

        var listed = new List<string>();
        await foreach (var record in records.ListAsync(Ct))
        {
            listed.Add(record.SourceId);
        }

        Assert.Equal(2345, listed.Count);
        Assert.Equal(2345, listed.Distinct().Count());
    }

    [Fact]
    public async Task DeleteAsync_KnownAndUnknownIds_RemovesTheKnownOnes()
    {
        var records = _store.CreateRecordManager();
        await records.UpsertAsync([new IndexRecord("a", "h", ["a#0"], When), new IndexRecord("b", "h", ["b#0"], When)], Ct);

        await records.DeleteAsync(["a", "zzz"], Ct);

        Assert.Equal(["b"], (await records.GetAsync(["a", "b"], Ct)).Select(r => r.SourceId));
    }

    [Fact]
    public async Task UpsertAsync_NullRecord_ThrowsAndWritesNothing()
    {
        var records = _store.CreateRecordManager();

        await Assert.ThrowsAsync<ArgumentNullException>(() => records.UpsertAsync([new IndexRecord("a", "h", [], When), null!], Ct));

        Assert.Empty(await records.GetAsync(["a"], Ct));
    }
}
