using System.Diagnostics;
using System.Text;

namespace Chains.Packaging.Tests;

/// <summary>Runs the .NET CLI (or an app built with it) as a child process and captures what it prints.</summary>
internal static class DotnetCli
{
    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/> in <paramref name="workingDirectory"/>.</summary>
    /// <returns>The exit code and the captured output (stdout, then stderr).</returns>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string workingDirectory,
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The test host may run under a `dotnet` CLI that set MSBuild's own locations in its environment; a child CLI
        // must find its SDK by itself, as it would from a shell.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        start.Environment["ORT_DISABLE_TELEMETRY"] = "1";
        // No MSBuild nodes or compiler servers left running after the test.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start `dotnet`.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"`dotnet {string.Join(' ', args)}` in {workingDirectory} did not finish within {timeout ?? TimeSpan.FromMinutes(5)}.");
        }

        var text = await output;
        var errorText = await error;
        return (process.ExitCode, errorText.Length == 0 ? text : text + Environment.NewLine + errorText);
    }

    /// <summary>Runs <c>dotnet</c> and fails the test, with the command and its output, unless it exits with 0.</summary>
    /// <returns>The captured output.</returns>
    public static async Task<string> RunCheckedAsync(
        string workingDirectory,
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var (exitCode, output) = await RunAsync(workingDirectory, args, environment, timeout, cancellationToken);
        Assert.True(exitCode == 0, $"`dotnet {string.Join(' ', args)}` in {workingDirectory} exited with {exitCode}:{Environment.NewLine}{output}");
        return output;
    }
}
