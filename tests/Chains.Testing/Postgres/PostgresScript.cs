using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Chains.Testing.Postgres;

/// <summary>
/// Runs tests/postgres.sh, which provisions a PostgreSQL 17 + pgvector server from a cached Debian chroot, and reads
/// what it prints: the fixtures of every test project that needs a server start and stop it through here.
/// </summary>
public static class PostgresScript
{
    private const string ConnectionExport = "export CHAINS_TEST_POSTGRES=";
    private const string PortExport = "export CHAINS_TEST_POSTGRES_PORT=";

    /// <summary>Starts a fresh server, ignoring CHAINS_TEST_POSTGRES.</summary>
    /// <param name="repoRoot">The repository root (the folder holding tests/postgres.sh).</param>
    /// <returns>The server's connection string and port.</returns>
    /// <exception cref="InvalidOperationException">The script failed, or printed no connection string or port.</exception>
    public static async Task<(string ConnectionString, int Port)> StartAsync(string repoRoot)
    {
        var output = await RunScriptAsync(repoRoot, "start");
        string? connectionString = null;
        int? port = null;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith(ConnectionExport, StringComparison.Ordinal))
            {
                connectionString = Unquote(line[ConnectionExport.Length..]);
            }
            else if (line.StartsWith(PortExport, StringComparison.Ordinal))
            {
                port = int.Parse(Unquote(line[PortExport.Length..]), CultureInfo.InvariantCulture);
            }
        }

        return connectionString is not null && port is not null
            ? (connectionString, port.Value)
            : throw new InvalidOperationException($"tests/postgres.sh start printed no connection string: {output}");
    }

    /// <summary>Stops a server started by <see cref="StartAsync"/>.</summary>
    /// <param name="repoRoot">The repository root.</param>
    /// <param name="port">The server's port.</param>
    /// <returns>A task that completes when the server is stopped.</returns>
    public static Task StopAsync(string repoRoot, int port) => RunScriptAsync(repoRoot, "stop", port.ToString(CultureInfo.InvariantCulture));

    /// <summary>Runs a program to its end (five minutes at most) and returns what it printed.</summary>
    /// <param name="file">The program.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="workingDirectory">Its working directory.</param>
    /// <param name="configure">Changes to the start information (e.g. the environment), or <see langword="null"/>.</param>
    /// <returns>Its standard output.</returns>
    /// <exception cref="InvalidOperationException">It could not start or exited with a non-zero code (its standard error is in the message).</exception>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, string workingDirectory, Action<ProcessStartInfo>? configure = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        configure?.Invoke(psi);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"{file} {string.Join(' ', psi.ArgumentList)} exited with {process.ExitCode}: {await stderr}");
    }

    private static Task<string> RunScriptAsync(string repoRoot, params string[] args)
        => RunAsync("bash", [Path.Combine(repoRoot, "tests", "postgres.sh"), .. args], repoRoot, psi => psi.Environment.Remove("CHAINS_TEST_POSTGRES"));

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
