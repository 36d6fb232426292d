using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Chains.Testing.Processes;

namespace Chains.Pgvector.Tests;

/// <summary>
/// Starts tests/Chains.Pgvector.TestHost, the child process the fault tests kill with SIGKILL. The test project
/// references it (without its assembly), so a build of the tests builds it too; it is found in the sibling output folder
/// of an <c>--artifacts-path</c> build or in its own <c>bin/&lt;configuration&gt;</c>, and used only when it carries the
/// very Chains.Pgvector assembly under test.
/// </summary>
internal static class TestHostProcess
{
    private const string HostName = "Chains.Pgvector.TestHost";
    private static readonly Lazy<string> HostPath = new(Locate);

    /// <summary>Starts the host with <paramref name="arguments"/>, stdout and stderr redirected.</summary>
    public static Process Start(params string[] arguments)
    {
        var info = new ProcessStartInfo(DotNetHost.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(HostPath.Value);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("The test host did not start.");
    }

    /// <summary>Runs the host to completion, failing the test when it exits with an error or runs past <paramref name="timeout"/>.</summary>
    public static async Task<string> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        using var process = Start(arguments);
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The test host ({arguments[0]}) ran longer than {timeout}.");
        }

        Assert.True(process.ExitCode == 0, $"The test host ({arguments[0]}) exited with {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }

    /// <summary>Kills the host like a crash (SIGKILL on Unix: no cleanup, no flush) and waits for it to be gone.</summary>
    public static async Task KillAsync(Process process)
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    private static string Locate()
    {
        var dll = HostName + ".dll";
        var tested = Path.Combine(AppContext.BaseDirectory, "Chains.Pgvector.dll");
        var configuration = typeof(TestHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, dll),

            // --artifacts-path layout: <artifacts>/bin/Chains.Pgvector.Tests/<config>/ beside <artifacts>/bin/Chains.Pgvector.TestHost/<config>/.
            Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", HostName, configuration.ToLowerInvariant(), dll)),
            Path.Combine(PostgresServer.RepoRoot, "tests", HostName, "bin", configuration, "net10.0", dll),
        ];
        foreach (var candidate in candidates)
        {
            if (IsFresh(candidate, tested))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"tests/{HostName} was not built with the Chains.Pgvector under test (looked in {string.Join(", ", candidates)}); build the test project, which references it.");
    }

    /// <summary>A host build is usable when it carries the very Chains.Pgvector assembly under test (deterministic builds:
    /// equal bytes mean equal sources).</summary>
    private static bool IsFresh(string hostDll, string tested)
    {
        var hostCopy = Path.Combine(Path.GetDirectoryName(hostDll)!, "Chains.Pgvector.dll");
        return File.Exists(hostDll) && File.Exists(hostCopy) && File.Exists(tested)
            && SHA256.HashData(File.ReadAllBytes(hostCopy)).AsSpan().SequenceEqual(SHA256.HashData(File.ReadAllBytes(tested)));
    }
}
