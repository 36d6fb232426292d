using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Chains.Testing.Processes;

namespace Chains.Tests.Agents;

/// <summary>
/// Finds (or builds) and starts tests/Chains.McpTestServer, the child process of the MCP and crash-resume tests.
/// </summary>
/// <remarks>
/// Looked for, in order: next to this test assembly (when the test project references the host), in the sibling output
/// folder of an <c>--artifacts-path</c> build, in the host's own <c>bin/&lt;configuration&gt;</c> after a solution build
/// (the CI path) — each only when it carries the same Chains assembly as the tests; otherwise it is built once into a
/// cache folder under the temp directory (a few seconds when up to date).
/// </remarks>
internal static class TestHost
{
    private const string HostName = "Chains.McpTestServer";
    private static readonly Lazy<Task<string>> HostPath = new(LocateOrBuildAsync);

    /// <summary>Gets the path of the host's dll.</summary>
    public static Task<string> GetPathAsync() => HostPath.Value;

    /// <summary>Starts the host with <paramref name="arguments"/>, stdout and stderr redirected.</summary>
    public static async Task<Process> StartAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(DotNetHost.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(await GetPathAsync());
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("The test host did not start.");
    }

    /// <summary>Runs the host to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(TimeSpan timeout, CancellationToken cancellationToken, params string[] arguments)
    {
        using var process = await StartAsync(arguments);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The test host ({string.Join(' ', arguments)}) ran longer than {timeout}. Output: {await output}\n{await error}");
        }

        return (process.ExitCode, await output, await error);
    }

    private static async Task<string> LocateOrBuildAsync()
    {
        var dll = HostName + ".dll";
        var baseDirectory = AppContext.BaseDirectory;
        var nextToTests = Path.Combine(baseDirectory, dll);
        if (File.Exists(nextToTests) && File.Exists(Path.Combine(baseDirectory, HostName + ".runtimeconfig.json")))
        {
            return nextToTests;
        }

        var chains = Path.Combine(baseDirectory, "Chains.dll");
        var configuration = typeof(TestHost).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

        // --artifacts-path layout: <artifacts>/bin/Chains.Tests/<config>/ next to <artifacts>/bin/Chains.McpTestServer/<config>/.
        var artifactsSibling = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", HostName, configuration.ToLowerInvariant(), dll));
        if (IsFresh(artifactsSibling, chains))
        {
            return artifactsSibling;
        }

        var root = FindRepositoryRoot() ?? throw new InvalidOperationException(
            $"Cannot find the repository (Chains.sln) to build tests/{HostName}; set CHAINS_REPO_ROOT, or reference the project from Chains.Tests.");
        var solutionBuild = Path.Combine(root, "tests", HostName, "bin", configuration, "net10.0", dll);
        if (IsFresh(solutionBuild, chains))
        {
            return solutionBuild;
        }

        return await BuildAsync(root);
    }

    /// <summary>A host build is usable when it exists and carries the very Chains assembly under test (builds are
    /// deterministic, so equal bytes mean equal sources).</summary>
    private static bool IsFresh(string hostDll, string testedChains)
    {
        var hostChains = Path.Combine(Path.GetDirectoryName(hostDll)!, "Chains.dll");
        if (!File.Exists(hostDll) || !File.Exists(hostChains) || !File.Exists(testedChains))
        {
            return false;
        }

        return new FileInfo(hostChains).Length == new FileInfo(testedChains).Length
            && SHA256.HashData(File.ReadAllBytes(hostChains)).AsSpan().SequenceEqual(SHA256.HashData(File.ReadAllBytes(testedChains)));
    }

    private static async Task<string> BuildAsync(string root)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)).AsSpan(0, 8));
        var artifacts = Path.Combine(Path.GetTempPath(), "chains-test-host", key);
        Directory.CreateDirectory(artifacts);

        // One build at a time across test processes.
        await using var gate = await LockAsync(Path.Combine(artifacts, ".lock"));
        var info = new ProcessStartInfo(DotNetHost.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "build", Path.Combine(root, "tests", HostName, HostName + ".csproj"),
            "-c", "Debug", "--artifacts-path", artifacts, "--disable-build-servers", "-nologo", "-v", "q", "-p:SkipPublicApi=true",
        })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Building tests/{HostName} failed ({process.ExitCode}):\n{await output}\n{await error}");
        }

        return Path.Combine(artifacts, "bin", HostName, "debug", HostName + ".dll");
    }

    private static async Task<FileStream> LockAsync(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (attempt < 600)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System);
            }
        }
    }

    private static string? FindRepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("CHAINS_REPO_ROOT"),
            Path.GetDirectoryName(sourceFile),
            Environment.CurrentDirectory,
            AppContext.BaseDirectory,
        };
        foreach (var start in candidates)
        {
            for (var directory = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Chains.sln")) && Directory.Exists(Path.Combine(directory.FullName, "tests", HostName)))
                {
                    return directory.FullName;
                }
            }
        }

        return null;
    }
}
