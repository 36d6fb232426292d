using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace Chains.Pgvector.Tests;

/// <summary>
/// Transactional re-indexing when the client dies: tests/Chains.Pgvector.TestHost indexes a large batch through the
/// <see cref="Chains.Indexes.Indexing.Indexer"/> with the pgvector store and its record manager, and is killed with
/// SIGKILL once some of its commits are in. Every document must then be wholly old or wholly new, and a re-run must
/// converge with no duplicate chunk. (The server-side crash, a backend killed mid-commit, is in
/// <see cref="PgvectorStoreIndexingTests"/>.)
/// </summary>
public sealed partial class PgvectorStoreIndexingProcessKillTests(PostgresServer server) : IAsyncLifetime
{
    private const int Documents = 400;
    private const int Lines = 5;
    private const string Table = "docs";
    private readonly TestSchema _db = new(server, "killidx");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task IndexAsync_ClientProcessKilledMidBatch_EveryDocumentWhollyOldOrNewAndARerunConverges()
    {
        var first = Counts(await IndexAsync("v1", delayMs: 0));
        Assert.Equal((Documents, 0, 0), first);

        // The v2 run is slowed (each embedding call waits) so it spans many commits; it is killed after the first few land.
        var killedAt = -1L;
        using (var host = TestHostProcess.Start("index", server.ConnectionString, _db.Name, Table, "v2", $"{Documents}", $"{Lines}", "10", "40"))
        {
            var stderr = host.StandardError.ReadToEndAsync(Ct);
            var stdout = host.StandardOutput.ReadToEndAsync(Ct);
            try
            {
                var watch = Stopwatch.StartNew();
                while (!host.HasExited && watch.Elapsed < TimeSpan.FromMinutes(2))
                {
                    if ((long)(await ScalarAsync($"SELECT count(*) FROM {Qualified} WHERE content LIKE '% v2 %'"))! >= 30 * Lines)
                    {
                        break;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System, Ct);
                }

                if (host.HasExited)
                {
                    Assert.Fail($"The host finished or failed before it could be killed mid-way:\n{await stdout}\n{await stderr}");
                }
            }
            finally
            {
                await TestHostProcess.KillAsync(host);
            }

            Assert.DoesNotContain("done", await stdout, StringComparison.Ordinal);
            killedAt = (long)(await ScalarAsync($"SELECT count(DISTINCT split_part(id, '#', 1)) FROM {Qualified} WHERE content LIKE '% v2 %'"))!;
        }

        // The server rolls back the dead client's open transaction as soon as it notices the connection is gone.
        await WaitForNoOpenTransactionAsync();
        var versions = await VersionsAsync();
        Assert.Equal(Documents, versions.Values.Sum());
        Assert.True(versions.GetValueOrDefault("v2") is > 0 and < Documents, $"killed mid-way: {string.Join(", ", versions)}");
        Assert.True(versions["v2"] >= killedAt, $"{versions["v2"]} new documents after the kill, {killedAt} seen before it");
        Assert.True(versions.GetValueOrDefault("v1") > 0);
        await AssertConsistentAsync();

        var rerun = Counts(await IndexAsync("v2", delayMs: 0));
        Assert.Equal((0, Documents - versions["v2"], versions["v2"]), rerun);
        Assert.Equal(new Dictionary<string, int> { ["v2"] = Documents }, await VersionsAsync());
        Assert.Equal((long)Documents * Lines, await ScalarAsync($"SELECT count(*) FROM {Qualified}"));
        Assert.Equal((long)Documents * Lines, await ScalarAsync($"SELECT count(DISTINCT content) FROM {Qualified}"));
        await AssertConsistentAsync();

        Assert.Equal((0, 0, Documents), Counts(await IndexAsync("v2", delayMs: 0)));
    }

    private string Qualified => $"\"{_db.Name}\".{Table}";

    private Task<string> IndexAsync(string version, int delayMs)
        => TestHostProcess.RunAsync(TimeSpan.FromMinutes(3), "index", server.ConnectionString, _db.Name, Table, version, $"{Documents}", $"{Lines}", "10", $"{delayMs}");

    /// <summary>Reads "<c>done A added, U updated, S unchanged</c>".</summary>
    private static (int Added, int Updated, int Unchanged) Counts(string output)
    {
        var match = DoneLine().Match(output);
        Assert.True(match.Success, output);
        return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task WaitForNoOpenTransactionAsync()
    {
        var watch = Stopwatch.StartNew();
        while ((long)(await ScalarAsync("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND l.pid <> pg_backend_pid()", _db.Name))! > 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(1), "The killed client's transaction is still open after a minute.");
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, Ct);
        }
    }

    /// <summary>Counts the documents per version, failing when a document's chunks mix versions or some are missing.</summary>
    private async Task<Dictionary<string, int>> VersionsAsync()
    {
        await using var cmd = _db.DataSource.CreateCommand(
            $"SELECT split_part(id, '#', 1), min(substring(content from ' (v[0-9]) ')), max(substring(content from ' (v[0-9]) ')), count(*) FROM {Qualified} GROUP BY 1");
        var versions = new Dictionary<string, int>();
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            var document = reader.GetString(0);
            Assert.True(reader.GetString(1) == reader.GetString(2), $"{document} mixes {reader.GetString(1)} and {reader.GetString(2)} chunks");
            Assert.True(reader.GetInt64(3) == Lines, $"{document} has {reader.GetInt64(3)} chunks, not {Lines}");
            versions[reader.GetString(1)] = versions.GetValueOrDefault(reader.GetString(1)) + 1;
        }

        return versions;
    }

    /// <summary>Every record's chunks exist, every chunk belongs to a record, and no record is pending. (That each
    /// record's hash matches its chunks' version shows in the re-run: a record ahead of its chunks would be skipped and
    /// leave old chunks behind.)</summary>
    private async Task AssertConsistentAsync()
    {
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {Qualified}_records r, unnest(r.chunk_ids) AS c(id) WHERE NOT EXISTS (SELECT 1 FROM {Qualified} t WHERE t.id = c.id)"));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {Qualified} t WHERE NOT EXISTS (SELECT 1 FROM {Qualified}_records r WHERE t.id = ANY(r.chunk_ids))"));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {Qualified}_records WHERE content_hash IS NULL"));
        Assert.Equal((long)Documents, await ScalarAsync($"SELECT count(*) FROM {Qualified}_records"));
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

    [GeneratedRegex(@"done (\d+) added, (\d+) updated, (\d+) unchanged")]
    private static partial Regex DoneLine();
}
