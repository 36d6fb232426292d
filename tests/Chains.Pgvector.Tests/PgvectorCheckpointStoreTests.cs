using System.Text.Json;
using Chains.Agents.Graph;
using Chains.Testing.Agents;
using Npgsql;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="PgvectorCheckpointStore"/>: the shared <see cref="ICheckpointStore"/> contract on a real server
/// (each test class its own schema), plus what only a database shows: stores of several processes racing on one thread,
/// retention inside the save's transaction, exact round trips, and a graph process killed with SIGKILL and resumed by a
/// second process.</summary>
public sealed class PgvectorCheckpointStoreTests(PostgresServer server) : CheckpointStoreContractTests, IAsyncLifetime
{
    private readonly TestSchema _db = new(server, "ckpt");
    private readonly string _table = "checkpoints_" + Guid.NewGuid().ToString("N")[..8];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    protected override ICheckpointStore CreateStore() => Store();

    [Fact]
    public async Task SaveAsync_StateJson_ComesBackByteForByte()
    {
        // Key order, spacing, number spellings, escapes and a NUL escape: jsonb would rewrite or reject each of these.
        const string state = """{ "b" : 1, "a":[1.0, 1e2, -0.0, 12345678901234567890123], "s":"\u0000\u00e9 北京 🌤", "b":2 }""";
        var store = Store();

        await store.SaveAsync(Checkpoint("raw", 0, state), CheckpointRetention.All, Ct);

        Assert.Equal(state, (await Store().GetAsync("raw", cancellationToken: Ct))!.State.GetRawText());
    }

    [Fact]
    public async Task SaveAsync_CreatedAtWithOffsetAndTicks_RoundTripsExactlyAndStatusIsQueryable()
    {
        var created = new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.FromHours(8)).AddTicks(1234567);
        var store = Store();

        await store.SaveAsync(Checkpoint("会话", 0, status: GraphStatus.Interrupted) with { CreatedAt = created }, CheckpointRetention.All, Ct);

        var loaded = (await store.GetAsync("会话", 0, Ct))!;
        Assert.Equal(created.Ticks, loaded.CreatedAt.Ticks);
        Assert.Equal(created.Offset, loaded.CreatedAt.Offset);
        Assert.Equal("Interrupted", await ScalarAsync($"SELECT status FROM {Table} WHERE thread_id = $1", "会话"));
        Assert.Equal(created.UtcDateTime.AddTicks(-(created.Ticks % 10)), (DateTime)(await ScalarAsync($"SELECT created_at FROM {Table} WHERE thread_id = $1", "会话"))!); // microseconds
    }

    [Fact]
    public async Task SaveAsync_TwoThreadsFromTwoProcessesAtOnce_EachKeepsItsNewestSteps()
    {
        // Two data sources stand for two app instances; each writes its own thread with retention as fast as it can.
        await using var other = server.CreateDataSource();
        var stores = new[] { Store(), Store(other) };

        await Task.WhenAll(stores.Select((store, i) => Task.Run(
            async () =>
            {
                for (var step = 0; step < 40; step++)
                {
                    await store.SaveAsync(Checkpoint($"thread-{i}", step, $$"""{"n":{{step}}}"""), CheckpointRetention.KeepLast(3), Ct);
                }
            },
            Ct)));

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal([39L, 38, 37], await StepsAsync(stores[1 - i], $"thread-{i}"));
            Assert.Equal(39, (await stores[i].GetAsync($"thread-{i}", cancellationToken: Ct))!.State.GetProperty("n").GetInt32());
        }

        Assert.Equal(6L, await ScalarAsync($"SELECT count(*) FROM {Table}"));
    }

    [Fact]
    public async Task SaveAsync_SameStepRacedFromTwoProcesses_ExactlyOneWinsAndStepsOnlyGrow()
    {
        await using var other = server.CreateDataSource();
        var stores = new[] { Store(), Store(other) };
        var rejected = 0;

        for (var step = 0; step < 15; step++)
        {
            var attempts = stores.Select((store, i) => Task.Run(async () => await store.SaveAsync(Checkpoint("contested", step, $$"""{"writer":{{i}}}"""), CheckpointRetention.All, Ct), Ct)).ToArray();
            var failures = 0;
            foreach (var attempt in attempts)
            {
                if (await Record.ExceptionAsync(() => attempt) is { } error)
                {
                    Assert.IsType<ArgumentException>(error);
                    Assert.Contains("already has step", error.Message, StringComparison.Ordinal);
                    failures++;
                }
            }

            Assert.Equal(1, failures);
            rejected += failures;
        }

        Assert.Equal(15, rejected);
        Assert.Equal(Enumerable.Range(0, 15).Reverse().Select(s => (long)s), await StepsAsync(stores[0], "contested"));
    }

    [Fact]
    public async Task SaveAsync_RetentionTightened_DeletesEveryOlderCheckpointInTheSameSave()
    {
        var store = Store();
        for (var step = 0; step < 10; step++)
        {
            await store.SaveAsync(Checkpoint("t", step), CheckpointRetention.All, Ct);
        }

        await store.SaveAsync(Checkpoint("t", 10), CheckpointRetention.KeepLast(1), Ct);

        Assert.Equal([10L], await StepsAsync(store, "t"));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM {Table}"));
    }

    [Fact]
    public async Task SaveAsync_StepNotGrowing_LeavesTheOlderCheckpointsAlone()
    {
        var store = Store();
        await store.SaveAsync(Checkpoint("t", 0), CheckpointRetention.All, Ct);
        await store.SaveAsync(Checkpoint("t", 5), CheckpointRetention.All, Ct);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await store.SaveAsync(Checkpoint("t", 3), CheckpointRetention.KeepLast(1), Ct));

        Assert.Contains("'t' already has step 5", error.Message, StringComparison.Ordinal);
        Assert.Equal([5L, 0], await StepsAsync(store, "t"));
    }

    [Fact]
    public async Task ListAsync_MoreCheckpointsThanOnePage_NewestFirstEachOnce()
    {
        var store = Store();
        for (var step = 0; step < 150; step++)
        {
            await store.SaveAsync(Checkpoint("long", step * 2), CheckpointRetention.All, Ct);
        }

        Assert.Equal(Enumerable.Range(0, 150).Reverse().Select(s => (long)s * 2), await StepsAsync(store, "long"));
    }

    [Fact]
    public async Task GetAsync_DamagedRow_ThrowsInvalidDataNamingThreadAndStep()
    {
        var store = Store();
        await store.SaveAsync(Checkpoint("t", 4), CheckpointRetention.All, Ct);
        await ScalarAsync($"UPDATE {Table} SET meta = 'null'::json");

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await store.GetAsync("t", cancellationToken: Ct));

        Assert.Contains("thread 't', step 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_BadInput_ThrowsBeforeWriting()
    {
        var store = Store();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.SaveAsync(null!, CheckpointRetention.All, Ct));
        var nul = await Assert.ThrowsAsync<ArgumentException>(async () => await store.SaveAsync(Checkpoint("a\0b", 0), CheckpointRetention.All, Ct));
        Assert.Contains("NUL", nul.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.SaveAsync(Checkpoint("t", 0) with { State = default }, CheckpointRetention.All, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.SaveAsync(Checkpoint("t", -1), CheckpointRetention.All, Ct));
        Assert.Null(await store.GetAsync("t", cancellationToken: Ct));
    }

    [Fact]
    public void AsCheckpointStore_InvalidOptions_ThrowsNamingThemBeforeTouchingTheServer()
    {
        using var dataSource = NpgsqlDataSource.Create("Host=invalid.invalid;Database=none");

        var table = Assert.Throws<ArgumentException>(() => dataSource.AsCheckpointStore(new PgvectorCheckpointOptions { Table = "Bad-Name" }));
        var schema = Assert.Throws<ArgumentException>(() => dataSource.AsCheckpointStore(new PgvectorCheckpointOptions { Schema = "" }));

        Assert.Contains("PgvectorCheckpointOptions.Table 'Bad-Name'", table.Message, StringComparison.Ordinal);
        Assert.Contains("PgvectorCheckpointOptions.Schema ''", schema.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => ((NpgsqlDataSource)null!).AsCheckpointStore());
    }

    [Fact]
    public async Task AsCheckpointStore_Ownership_DisposesTheDataSourceOnlyWhenOwned()
    {
        var owned = server.CreateDataSource();
        await using var shared = server.CreateDataSource();

        await owned.AsCheckpointStore(Options(), ownsDataSource: true).DisposeAsync();
        var notOwned = shared.AsCheckpointStore(Options());
        await notOwned.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await owned.OpenConnectionAsync(Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await notOwned.GetAsync("t", cancellationToken: Ct));
        await using var connection = await shared.OpenConnectionAsync(Ct);
    }

    [Fact]
    public async Task EnsureSchemaAsync_ManyStoresAtOnce_CreateTheTableOnce()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => Store()).ToArray();

        await Task.WhenAll(stores.Select(s => s.EnsureSchemaAsync(Ct)));

        Assert.Equal(
            "thread_id text, step bigint, status text, created_at timestamp with time zone, state json, meta json",
            await ScalarAsync("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2", _db.Name, _table));
    }

    [Theory]
    [InlineData("search_b")]  // killed in a parallel step (search_a runs beside it)
    [InlineData("write")]     // killed right after a join
    [InlineData("revise")]    // killed inside the review loop
    public async Task GraphProcessKilledMidGraph_SecondProcessResumesToTheSameFinalState(string killedIn)
    {
        var thread = "crash-" + killedIn;
        var uninterrupted = Final(await TestHostProcess.RunAsync(TimeSpan.FromMinutes(2), "graph", server.ConnectionString, _db.Name, "whole-" + killedIn));

        using (var host = TestHostProcess.Start("graph", server.ConnectionString, _db.Name, thread, killedIn))
        {
            try
            {
                string? line;
                while ((line = await host.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromMinutes(2), Ct)) is not null && line != $"hanging in {killedIn}")
                {
                }

                if (line is null)
                {
                    Assert.Fail($"The host ended before reaching '{killedIn}': {await host.StandardError.ReadToEndAsync(Ct)}");
                }
            }
            finally
            {
                // SIGKILL: no cleanup, no flush, no graceful shutdown; the server sees the connection vanish.
                await TestHostProcess.KillAsync(host);
            }
        }

        var store = _db.DataSource.AsCheckpointStore(Options() with { Table = "checkpoints" });
        var atCrash = await store.GetAsync(thread, cancellationToken: Ct);
        Assert.NotNull(atCrash);
        Assert.Equal(GraphStatus.Running, atCrash.Status);
        Assert.Contains(killedIn, atCrash.NextNodes);

        var resumed = await TestHostProcess.RunAsync(TimeSpan.FromMinutes(2), "graph", server.ConnectionString, _db.Name, thread);

        Assert.Contains($"resumed Completed step {uninterrupted.Step}", resumed, StringComparison.Ordinal);
        Assert.Equal(uninterrupted.State, Final(resumed).State);
        Assert.Equal(Enumerable.Range(0, (int)uninterrupted.Step + 1).Reverse().Select(s => (long)s), await StepsAsync(store, thread));
    }

    private string Table => $"\"{_db.Name}\".{_table}";

    private PgvectorCheckpointOptions Options() => new() { Schema = _db.Name, Table = _table };

    private PgvectorCheckpointStore Store(NpgsqlDataSource? dataSource = null) => (dataSource ?? _db.DataSource).AsCheckpointStore(Options());

    private static async Task<List<long>> StepsAsync(ICheckpointStore store, string thread)
    {
        var steps = new List<long>();
        await foreach (var checkpoint in store.ListAsync(thread, Ct))
        {
            steps.Add(checkpoint.Step);
        }

        return steps;
    }

    /// <summary>Reads the host's last lines: "<c>ran|resumed STATUS step N</c>" and "<c>final {json}</c>".</summary>
    private static (long Step, string State) Final(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var summary = lines.Single(l => l.StartsWith("ran ", StringComparison.Ordinal) || l.StartsWith("resumed ", StringComparison.Ordinal));
        Assert.Contains(" Completed step ", summary, StringComparison.Ordinal);
        var state = lines.Single(l => l.StartsWith("final ", StringComparison.Ordinal))["final ".Length..];
        Assert.Contains("\"log\":[\"plan\"", state, StringComparison.Ordinal);
        return (long.Parse(summary[(summary.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture), state);
    }

    private async Task<object?> ScalarAsync(string sql, params object[] args)
    {
        await using var cmd = _db.DataSource.CreateCommand(sql);
        foreach (var arg in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
        }

        var value = await cmd.ExecuteScalarAsync(Ct);
        return value is DBNull ? null : value;
    }
}
