using Chains.Docs.Tests.Pages;
using Chains.Testing.Postgres;
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
                (var connectionString, _startedPort) = await PostgresScript.StartAsync(SnippetSource.RepoRoot);
                return _connectionString = connectionString;
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
            await PostgresScript.StopAsync(SnippetSource.RepoRoot, port);
        }

        _gate.Dispose();
    }
}
