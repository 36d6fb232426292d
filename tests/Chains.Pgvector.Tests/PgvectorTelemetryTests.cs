using System.Diagnostics;
using System.Text.Json;
using Chains.Agents.Graph;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Chains.Testing.Diagnostics;
using Microsoft.Extensions.AI;
using Npgsql;
using static Chains.Pgvector.Tests.TestData;

namespace Chains.Pgvector.Tests;

/// <summary>
/// <see cref="PgvectorTelemetry"/> against a real server. Every test uses its own schema, and keeps only the spans and
/// measurements whose <c>db.collection.name</c> lies in it, so tests running in parallel never disturb the counts.
/// </summary>
public sealed class PgvectorTelemetryTests(PostgresServer server) : IAsyncLifetime
{
    // Never to be recorded: document text, metadata, query text, session and thread ids, state, vector components.
    private const string ContentMarker = "CONTENT-8b4f 机密合同条款";
    private const string MetadataMarker = "META-2c7e 客户名单";
    private const string QueryMarker = "合同条款";
    private const string SessionMarker = "SESSION-6a1d 用户会话";
    private const string VectorMarker = "0.4242";

    private static readonly string[] SecretFragments = ["CONTENT-8b4f", "机密", "合同", "条款", "META-2c7e", "客户", "SESSION-6a1d", "用户会话", VectorMarker, "0.42419"];

    private readonly TestSchema _db = new(server, "otel");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task VectorStore_Operations_EmitDbSpansRowsAndDurationsWithoutValues()
    {
        using var telemetry = Capture(_db.Name);
        await using var store = _db.DataSource.AsVectorStore(new PgvectorStoreOptions { Schema = _db.Name, Table = "docs", Dimensions = 3 });
        var collection = _db.Name + ".docs";

        await store.UpsertAsync(
            [
                Record("a", ContentMarker, [0.4242f, 0.1f, 0.2f], ("client", MetadataMarker)),
                Record("b", "第二份文件 other text", [0.3f, 0.4242f, 0.1f]),
            ],
            Ct);
        var found = await store.SearchAsync(new float[] { 0.4242f, 0.1f, 0.2f }, new VectorSearchOptions { Top = 5 }, Ct);
        var hybrid = await store.HybridSearchAsync(QueryMarker, new float[] { 0.4242f, 0.1f, 0.2f }, new HybridSearchOptions { Top = 5 }, Ct);
        var deleted = await store.DeleteAsync(VectorSelection.ByIds(["a"]), Ct);
        var count = await store.CountAsync(cancellationToken: Ct);

        Assert.Equal(2, found.Count);
        Assert.NotEmpty(hybrid);
        Assert.Equal(1, deleted);
        Assert.Equal(1, count);
        var upsert = telemetry.Span("UPSERT " + collection);
        Assert.Equal(ActivityKind.Client, upsert.Kind);
        Assert.Equal("postgresql", upsert.GetTagItem("db.system.name"));
        Assert.Equal("UPSERT", upsert.GetTagItem("db.operation.name"));
        Assert.Equal(collection, upsert.GetTagItem("db.collection.name"));
        var settings = new NpgsqlConnectionStringBuilder(server.ConnectionString);
        Assert.Equal(settings.Database, upsert.GetTagItem("db.namespace"));
        Assert.Equal(settings.Host, upsert.GetTagItem("server.address"));
        Assert.Equal(settings.Port, upsert.GetTagItem("server.port"));
        Assert.Equal(2L, upsert.GetTagItem("chains.pgvector.rows"));
        Assert.Equal(2L, telemetry.Span("SEARCH " + collection).GetTagItem("chains.pgvector.rows"));
        Assert.Equal((long)hybrid.Count, telemetry.Span("HYBRID_SEARCH " + collection).GetTagItem("chains.pgvector.rows"));
        Assert.Equal(1L, telemetry.Span("DELETE " + collection).GetTagItem("chains.pgvector.rows"));
        Assert.Null(telemetry.Span("COUNT " + collection).GetTagItem("chains.pgvector.rows"));
        Assert.All(telemetry.Spans, s => Assert.NotEqual(ActivityStatusCode.Error, s.Status));

        var durations = telemetry.Measurements(PgvectorTelemetry.OperationDurationInstrument);
        Assert.Equal(["COUNT", "DELETE", "HYBRID_SEARCH", "SEARCH", "UPSERT"], durations.Select(m => (string)m.Tags["db.operation.name"]!).Order(StringComparer.Ordinal));
        Assert.All(durations, m =>
        {
            Assert.True(m.Value > 0);
            Assert.Equal("postgresql", m.Tags["db.system.name"]);
            Assert.False(m.Tags.ContainsKey("error.type"));
        });
        var written = Assert.Single(telemetry.Measurements(PgvectorTelemetry.RowsWrittenInstrument));
        Assert.Equal(2, written.Value);
        Assert.Equal("UPSERT", written.Tags["db.operation.name"]);
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    [Fact]
    public async Task BulkUpsertAsync_ThreeBatches_OneCopySpanPerBatchAndRowsCounted()
    {
        using var telemetry = Capture(_db.Name);
        await using var store = _db.DataSource.AsVectorStore(new PgvectorStoreOptions { Schema = _db.Name, Table = "bulk", Dimensions = 3, BulkBatchSize = 10 });
        var records = Enumerable.Range(0, 25).Select(i => Record($"r{i}", $"{ContentMarker} {i}", [0.4242f, i, 1f], ("client", MetadataMarker)));

        var loaded = await store.BulkUpsertAsync(Stream(records), Ct);

        Assert.Equal(25, loaded);
        var copies = telemetry.Spans.Where(s => s.OperationName == $"COPY {_db.Name}.bulk").ToList();
        Assert.Equal([5L, 10L, 10L], copies.Select(s => (long)s.GetTagItem("chains.pgvector.rows")!).Order());
        Assert.Equal(25, telemetry.Measurements(PgvectorTelemetry.RowsWrittenInstrument).Sum(m => m.Value));
        Assert.All(telemetry.Measurements(PgvectorTelemetry.RowsWrittenInstrument), m => Assert.Equal("COPY", m.Tags["db.operation.name"]));
        Assert.Equal(3, telemetry.Measurements(PgvectorTelemetry.OperationDurationInstrument).Count);
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    [Fact]
    public async Task RecordManagerAndCommit_SpansNameTheirTables()
    {
        using var telemetry = Capture(_db.Name);
        await using var store = _db.DataSource.AsVectorStore(new PgvectorStoreOptions { Schema = _db.Name, Table = "indexed", Dimensions = 3 });
        var records = store.CreateRecordManager();
        var now = DateTimeOffset.UtcNow;

        await store.CommitAsync([new IndexChange(ContentMarker, [Record("c1", ContentMarker, [0.4242f, 0f, 1f])], [], new IndexRecord(ContentMarker, "hash", ["c1"], now))], Ct);
        var read = await records.GetAsync([ContentMarker], Ct);

        Assert.Single(read);
        var commit = telemetry.Span($"COMMIT {_db.Name}.indexed");
        Assert.Equal(1L, commit.GetTagItem("chains.pgvector.rows"));
        var select = telemetry.Span($"SELECT {_db.Name}.indexed_records");
        Assert.Equal($"{_db.Name}.indexed_records", select.GetTagItem("db.collection.name"));
        Assert.Equal(1L, select.GetTagItem("chains.pgvector.rows"));
        var written = Assert.Single(telemetry.Measurements(PgvectorTelemetry.RowsWrittenInstrument));
        Assert.Equal(("COMMIT", 1.0), ((string)written.Tags["db.operation.name"]!, written.Value));
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    [Fact]
    public async Task ChatHistoryAndCheckpoints_SpansCarryOperationsAndRowsNotIdsOrContent()
    {
        using var telemetry = Capture(_db.Name);
        var history = _db.DataSource.AsChatHistoryStore(new PgvectorChatHistoryOptions { Schema = _db.Name, Table = "messages" });
        await using var checkpoints = _db.DataSource.AsCheckpointStore(new PgvectorCheckpointOptions { Schema = _db.Name, Table = "checkpoints" });

        await history.AppendAsync(SessionMarker, [new ChatMessage(ChatRole.User, ContentMarker), new ChatMessage(ChatRole.Assistant, MetadataMarker)], Ct);
        var loaded = await history.LoadAsync(SessionMarker, Ct);
        await history.ClearAsync(SessionMarker, Ct);
        await checkpoints.SaveAsync(new GraphCheckpoint { ThreadId = SessionMarker, Step = 0, State = JsonElement.Parse($$"""{"text":"{{ContentMarker}}"}""") }, CheckpointRetention.All, Ct);
        var checkpoint = await checkpoints.GetAsync(SessionMarker, cancellationToken: Ct);

        Assert.Equal(2, loaded.Count);
        Assert.NotNull(checkpoint);
        Assert.Equal(2L, telemetry.Span($"INSERT {_db.Name}.messages").GetTagItem("chains.pgvector.rows"));
        Assert.Equal(2L, telemetry.Span($"SELECT {_db.Name}.messages").GetTagItem("chains.pgvector.rows"));
        Assert.Equal(2L, telemetry.Span($"DELETE {_db.Name}.messages").GetTagItem("chains.pgvector.rows"));
        Assert.Null(telemetry.Span($"INSERT {_db.Name}.checkpoints").GetTagItem("chains.pgvector.rows"));
        Assert.Equal(1L, telemetry.Span($"SELECT {_db.Name}.checkpoints").GetTagItem("chains.pgvector.rows"));
        Assert.Empty(telemetry.Measurements(PgvectorTelemetry.RowsWrittenInstrument));
        Assert.Equal(5, telemetry.Measurements(PgvectorTelemetry.OperationDurationInstrument).Count);
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    [Fact]
    public async Task SearchAsync_TableDroppedUnderneath_SpanAndDurationCarryTheSqlState()
    {
        using var telemetry = Capture(_db.Name);
        await using var store = _db.DataSource.AsVectorStore(new PgvectorStoreOptions { Schema = _db.Name, Table = "dropped", Dimensions = 3 });
        await store.EnsureSchemaAsync(Ct);
        await using (var drop = _db.DataSource.CreateCommand($"DROP TABLE \"{_db.Name}\".dropped"))
        {
            await drop.ExecuteNonQueryAsync(Ct);
        }

        var error = await Assert.ThrowsAsync<PostgresException>(() => store.SearchAsync(new float[] { 0.4242f, 0f, 0f }, cancellationToken: Ct));

        Assert.Equal(PostgresErrorCodes.UndefinedTable, error.SqlState);
        var span = telemetry.Span($"SEARCH {_db.Name}.dropped");
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(PostgresErrorCodes.UndefinedTable, span.GetTagItem("error.type"));
        Assert.Equal(PostgresErrorCodes.UndefinedTable, span.GetTagItem("db.response.status_code"));
        var duration = Assert.Single(telemetry.Measurements(PgvectorTelemetry.OperationDurationInstrument));
        Assert.Equal(PostgresErrorCodes.UndefinedTable, duration.Tags["error.type"]);
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    /// <summary>Keeps the package's spans and measurements that name a table in <paramref name="schema"/>.</summary>
    private static TelemetryCapture Capture(string schema)
    {
        var prefix = schema + ".";
        return new TelemetryCapture(
            PgvectorTelemetry.SourceName,
            PgvectorTelemetry.MeterName,
            span => InSchema(span.GetTagItem("db.collection.name")),
            measurement => InSchema(measurement.Tags.GetValueOrDefault("db.collection.name")));

        bool InSchema(object? collection) => collection is string name && name.StartsWith(prefix, StringComparison.Ordinal);
    }
}
