using Chains.Testing.Postgres;
using Npgsql;

[assembly: AssemblyFixture(typeof(Chains.Pgvector.Tests.PostgresServer))]

namespace Chains.Pgvector.Tests;

/// <summary>
/// The PostgreSQL 17 + pgvector server the tests run against: the one named by CHAINS_TEST_POSTGRES, or one started
/// with tests/postgres.sh for this run and stopped at its end. Under CI=true a server that cannot be had fails the
/// tests; elsewhere they are skipped with the reason.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string? _unavailable;

    /// <summary>Gets the Npgsql connection string of the test database.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Gets the port of a server this fixture started, or <see langword="null"/> when it uses one named by the environment.</summary>
    public int? StartedPort { get; private set; }

    /// <summary>Gets whether the tests run under CI, where a missing server is a failure.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets the repository root (the folder holding Chains.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var named = Environment.GetEnvironmentVariable("CHAINS_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(named))
        {
            ConnectionString = named;
            return;
        }

        try
        {
            (ConnectionString, var port) = await StartAsync();
            StartedPort = port;
        }
        catch (Exception ex) when (!IsCi)
        {
            _unavailable = $"No PostgreSQL for the pgvector tests: CHAINS_TEST_POSTGRES is not set and tests/postgres.sh could not start a server ({ex.Message}).";
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (StartedPort is { } port)
        {
            await StopAsync(port);
        }
    }

    /// <summary>Fails the calling test, with the reason, when no server could be had (a missing service never skips).</summary>
    public void RequireServer()
    {
        if (_unavailable is not null)
        {
            Assert.Fail(_unavailable);
        }
    }

    /// <summary>Builds a data source on the test database with pgvector types.</summary>
    /// <param name="configure">Changes to the connection string, or <see langword="null"/>.</param>
    /// <returns>The data source.</returns>
    public NpgsqlDataSource CreateDataSource(Action<NpgsqlConnectionStringBuilder>? configure = null)
    {
        RequireServer();
        var csb = new NpgsqlConnectionStringBuilder(ConnectionString);
        configure?.Invoke(csb);
        var builder = new NpgsqlDataSourceBuilder(csb.ConnectionString);
        builder.UseVector();
        return builder.Build();
    }

    /// <summary>Runs SQL on the test database and returns the first column of the first row.</summary>
    /// <param name="sql">The SQL.</param>
    /// <param name="args">Positional parameter values.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public async Task<object?> ScalarAsync(string sql, params object[] args)
    {
        RequireServer();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
        }

        var value = await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        return value is DBNull ? null : value;
    }

    /// <summary>Starts a fresh server with tests/postgres.sh, ignoring CHAINS_TEST_POSTGRES.</summary>
    /// <returns>Its connection string and port.</returns>
    public static Task<(string ConnectionString, int Port)> StartAsync() => PostgresScript.StartAsync(RepoRoot);

    /// <summary>Stops a server started by <see cref="StartAsync"/>.</summary>
    /// <param name="port">Its port.</param>
    /// <returns>A task that completes when it is stopped.</returns>
    public static Task StopAsync(int port) => PostgresScript.StopAsync(RepoRoot, port);

    /// <summary>Restarts a server started by <see cref="StartAsync"/> (pg_ctl restart inside the chroot).</summary>
    /// <param name="port">Its port.</param>
    /// <returns>A task that completes when the server accepts connections again.</returns>
    public static Task RestartAsync(int port)
    {
        var root = Environment.GetEnvironmentVariable("CHAINS_PG_ROOT") ?? "/var/cache/chains/pg17-trixie";
        var data = $"/var/lib/chains-test/{port}";
        // -l: the restarted postmaster must write to its log, not to this process's pipes (which would then never close).
        return PostgresScript.RunAsync("chroot", [root, "/usr/sbin/runuser", "-u", "postgres", "--", "/usr/lib/postgresql/17/bin/pg_ctl", "-D", data, "-l", $"{data}/server.log", "-m", "fast", "-w", "-t", "60", "restart"], RepoRoot);
    }

    private static string FindRepoRoot()
    {
        // The test assembly normally sits inside the clone; with an artifacts path outside it, the current directory or
        // the clone recorded at build time lead there.
        var built = typeof(PostgresServer).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory, built })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Chains.sln")) && File.Exists(Path.Combine(dir.FullName, "tests", "postgres.sh")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"Chains.sln with tests/postgres.sh not found above {AppContext.BaseDirectory}, {Environment.CurrentDirectory} or {built}.");
    }
}
