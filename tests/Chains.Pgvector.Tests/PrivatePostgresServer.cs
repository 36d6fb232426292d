using Npgsql;

namespace Chains.Pgvector.Tests;

/// <summary>A PostgreSQL server of a test class's own, started with tests/postgres.sh whatever CHAINS_TEST_POSTGRES says,
/// so the class may restart it without disturbing other classes. Under CI=true a server that cannot be started fails the
/// tests; elsewhere they are skipped with the reason.</summary>
public sealed class PrivatePostgresServer : IAsyncLifetime
{
    private string? _unavailable;

    /// <summary>Gets the connection string.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Gets the port.</summary>
    public int Port { get; private set; }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        try
        {
            (ConnectionString, Port) = await PostgresServer.StartAsync();
        }
        catch (Exception ex) when (!PostgresServer.IsCi)
        {
            _unavailable = $"The restart tests need a server of their own, started with tests/postgres.sh as root: {ex.Message}";
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (Port != 0)
        {
            await PostgresServer.StopAsync(Port);
        }
    }

    /// <summary>Builds a data source with pgvector types (failing the test, with the reason, when there is no server).</summary>
    /// <param name="configure">Changes to the connection string, or <see langword="null"/>.</param>
    /// <returns>The data source.</returns>
    public NpgsqlDataSource CreateDataSource(Action<NpgsqlConnectionStringBuilder>? configure = null)
    {
        if (_unavailable is not null)
        {
            Assert.Fail(_unavailable);
        }

        var csb = new NpgsqlConnectionStringBuilder(ConnectionString);
        configure?.Invoke(csb);
        var builder = new NpgsqlDataSourceBuilder(csb.ConnectionString);
        builder.UseVector();
        return builder.Build();
    }

    /// <summary>Restarts the server (fast shutdown: open sessions are terminated) and waits until it accepts connections.</summary>
    /// <returns>A task that completes when it is back.</returns>
    public Task RestartAsync() => PostgresServer.RestartAsync(Port);
}
