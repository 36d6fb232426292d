using System.Diagnostics;
using System.Text;
using Chains.Docs.Tests.Pages;
using Npgsql;

namespace Chains.Docs.Tests.Support;

/// <summary>
/// The PostgreSQL 17 + pgvector server the pgvector snippets run against, as tests/Chains.Pgvector.Tests finds it: the
/// one named by CHAINS_TEST_POSTGRES, or else one started with tests/postgres.sh on first use and stopped at the end.
/// A server that cannot be had fails the test with the reason (a missing service never skips).
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _connectionString;
    private int? _startedPort;
    private readonly List<string> _databases = [];

    /// <summary>Gets the connection string, starting a server with tests/postgres.sh the first time if none is named.</summary>
    /// <returns>The Npgsql connection string.</returns>
    public async Task<string> GetConnectionStringAsync()
    {
        await _gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_connectionString is not null)
            {
                return _connectionString;
            }

            var named = Environment.GetEnvironmentVariable("CHAINS_TEST_POSTGRES");
            if (!string.IsNullOrWhiteSpace(named))
            {
                return _connectionString = named;
            }

            try
            {
                var output = await RunScriptAsync("start");
                string? connectionString = null;
                foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (line.StartsWith("export CHAINS_TEST_POSTGRES=", StringComparison.Ordinal))
                    {
                        connectionString = Unquote(line["export CHAINS_TEST_POSTGRES=".Length..]);
                    }
                    else if (line.StartsWith("export CHAINS_TEST_POSTGRES_PORT=", StringComparison.Ordinal))
                    {
                        _startedPort = int.Parse(Unquote(line["export CHAINS_TEST_POSTGRES_PORT=".Length..]), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }

                return _connectionString = connectionString ?? throw new InvalidOperationException($"tests/postgres.sh start printed no connection string: {output}");
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
            {
                Assert.Fail($"No PostgreSQL for the pgvector snippets: CHAINS_TEST_POSTGRES is not set and tests/postgres.sh could not start a server ({ex.Message}).");
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Creates an empty database with the vector extension, dropped when the fixture is disposed, so a snippet's
    /// fixed table names ("docs", "agent_checkpoints") meet no other test's tables.</summary>
    /// <returns>The connection string of the new database.</returns>
    public async Task<string> CreateDatabaseAsync()
    {
        var server = await GetConnectionStringAsync();
        var name = $"chains_docs_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        var database = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var extension = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS vector", connection);
            await extension.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        return database;
    }

    /// <summary>Builds a data source with pgvector's types on a database.</summary>
    /// <param name="connectionString">The database.</param>
    /// <returns>The data source.</returns>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseVector();
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_connectionString is not null && _databases.Count > 0)
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            foreach (var name in _databases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }

        if (_startedPort is { } port)
        {
            await RunScriptAsync("stop", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        _gate.Dispose();
    }

    private static async Task<string> RunScriptAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SnippetSource.RepoRoot,
        };
        psi.ArgumentList.Add(Path.Combine(SnippetSource.RepoRoot, "tests", "postgres.sh"));
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment.Remove("CHAINS_TEST_POSTGRES");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start bash.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"tests/postgres.sh {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
    }

    /// <summary>Undoes bash's printf %q quoting of a value with no quotes or spaces (backslash escapes only).</summary>
    private static string Unquote(string value)
    {
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
            }

            sb.Append(value[i]);
        }

        return sb.ToString();
    }
}
