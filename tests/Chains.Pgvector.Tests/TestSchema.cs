using Npgsql;

namespace Chains.Pgvector.Tests;

/// <summary>A data source on the test server and a schema of the test class's own, dropped with everything in it on dispose.</summary>
internal sealed class TestSchema(PostgresServer server, string prefix) : IAsyncDisposable
{
    /// <summary>Gets the unique schema name.</summary>
    public string Name { get; } = TestNames.Unique(prefix);

    /// <summary>Gets a data source with pgvector types.</summary>
    public NpgsqlDataSource DataSource { get; } = server.CreateDataSource();

    public async ValueTask DisposeAsync()
    {
        await using (var cmd = DataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{Name}\" CASCADE"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        await DataSource.DisposeAsync();
    }
}
