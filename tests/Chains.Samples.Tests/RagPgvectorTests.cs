using Npgsql;

namespace Chains.Samples.Tests;

/// <summary>samples/RagPgvector against the real PostgreSQL + pgvector server named by CHAINS_TEST_POSTGRES (start one
/// with <c>eval "$(tests/postgres.sh start)"</c>); under CI=true a missing server fails the tests.</summary>
public sealed class RagPgvectorTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("ragpg-").FullName;
    private readonly string _schema = "t_rag_" + Guid.NewGuid().ToString("N")[..8];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string? Server => Environment.GetEnvironmentVariable("CHAINS_TEST_POSTGRES");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (!string.IsNullOrWhiteSpace(Server))
        {
            await using var dataSource = NpgsqlDataSource.Create(Server);
            await using var cmd = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");
            await cmd.ExecuteNonQueryAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Run_EnglishAndChineseNotes_IndexesIntoPostgresAndCitesTheRightFile()
    {
        var connection = RequireServer();
        var folder = Directory.CreateDirectory(Path.Combine(_root, "notes")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "cats.md"), "# Cats\n\nCats sleep most of the day and love warm windowsills.\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "markets.md"), "# Markets\n\nStock markets fell sharply today after the interest rate decision.\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "猫.md"), "# 猫\n\n猫一天中大部分时间都在睡觉，喜欢温暖的窗台。\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "股市.md"), "# 股市\n\n利率决议公布后，今天股市大幅下跌。\n", Ct);
        string[] common = ["--connection", connection, "--folder", folder, "--schema", _schema, "--table", "notes", "--top", "1"];

        var english = await SampleProcess.RunAsync("RagPgvector", [.. common, "Where do cats like to sleep?"], cancellationToken: Ct);
        var chinese = await SampleProcess.RunAsync("RagPgvector", [.. common, "猫喜欢在哪里睡觉？"], cancellationToken: Ct);

        Assert.True(english.ExitCode == 0, $"exit {english.ExitCode}\n{english.Output}\n{english.Error}");
        Assert.Contains($"into {_schema}.notes", english.Output, StringComparison.Ordinal);
        Assert.Contains("4 added", english.Output, StringComparison.Ordinal);
        Assert.Contains("4 chunks in the table", english.Output, StringComparison.Ordinal);
        var passages = Passages(english.Output);
        Assert.Contains("[1] cats.md", passages, StringComparison.Ordinal);
        Assert.Contains("warm windowsills", passages, StringComparison.Ordinal);
        Assert.DoesNotContain("[2]", passages, StringComparison.Ordinal);
        Assert.Contains("CHAINS_OPENAI_ENDPOINT", english.Output, StringComparison.Ordinal);

        // The second run re-embeds nothing and finds the Chinese note for the Chinese question.
        Assert.True(chinese.ExitCode == 0, $"exit {chinese.ExitCode}\n{chinese.Output}\n{chinese.Error}");
        Assert.Contains("4 unchanged", chinese.Output, StringComparison.Ordinal);
        Assert.Contains("0 chunks embedded in 0 calls", chinese.Output, StringComparison.Ordinal);
        var zh = Passages(chinese.Output);
        Assert.Contains("[1] 猫.md", zh, StringComparison.Ordinal);
        Assert.Contains("喜欢温暖的窗台", zh, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FileRemovedFromTheFolder_LeavesTheIndex()
    {
        var connection = RequireServer();
        var folder = Directory.CreateDirectory(Path.Combine(_root, "docs")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "keep.md"), "# Keep\n\nPostgreSQL keeps the vectors and the records together.\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "drop.md"), "# Drop\n\nThis note about tea will be deleted.\n", Ct);
        string[] args = ["--connection", connection, "--folder", folder, "--schema", _schema, "--table", "docs", "Where are the vectors kept?"];
        var first = await SampleProcess.RunAsync("RagPgvector", args, cancellationToken: Ct);
        File.Delete(Path.Combine(folder, "drop.md"));

        var second = await SampleProcess.RunAsync("RagPgvector", args, cancellationToken: Ct);

        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        Assert.Contains("1 unchanged, 1 removed", second.Output, StringComparison.Ordinal);
        Assert.Contains("1 chunks in the table", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("drop.md", Passages(second.Output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoConnection_ExitsWithMessageNamingTheOption()
    {
        var (exitCode, _, error) = await SampleProcess.RunAsync(
            "RagPgvector", ["--folder", _root, "question"], new Dictionary<string, string?> { ["CHAINS_PGVECTOR_CONNECTION"] = null }, Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("--connection", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidTableName_ExitsNamingItBeforeConnecting()
    {
        var (exitCode, _, error) = await SampleProcess.RunAsync(
            "RagPgvector", ["--connection", "Host=invalid.invalid;Database=none", "--folder", _root, "--table", "Bad-Table", "question"], cancellationToken: Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("'Bad-Table'", error, StringComparison.Ordinal);
    }

    private static string Passages(string output)
    {
        var at = output.IndexOf("Best passages:", StringComparison.Ordinal);
        Assert.True(at >= 0, output);
        return output[at..];
    }

    private static string RequireServer()
    {
        if (!string.IsNullOrWhiteSpace(Server))
        {
            return Server;
        }

        // A missing server fails the test (CI or not), as in Chains.Pgvector.Tests: ./tests/run-all.sh starts one.
        Assert.Fail("CHAINS_TEST_POSTGRES is not set: run ./tests/run-all.sh, or start a PostgreSQL + pgvector server with eval \"$(tests/postgres.sh start)\".");
        return string.Empty;
    }
}
