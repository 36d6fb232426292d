using System.Diagnostics;
using System.Text;

namespace Chains.Samples.Tests;

/// <summary>Runs a sample's built assembly as its own process and captures what it prints.</summary>
internal static class SampleProcess
{
    /// <summary>Runs <paramref name="sample"/> with an empty standard input, so a sample that reads the console never waits.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(string sample, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment = null, CancellationToken cancellationToken = default)
        => RunAsync(sample, args, environment, standardInput: null, cancellationToken);

    /// <summary>Runs <paramref name="sample"/>; <paramref name="standardInput"/> is typed into it (UTF-8) and then its input
    /// ends, as when a file is piped in.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string sample, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment, string? standardInput, CancellationToken cancellationToken = default)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, sample + ".dll");
        Assert.True(File.Exists(dll), $"The sample {sample} was not built next to the tests: {dll}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A model configured on the developer's machine must not change what the smoke tests see.
        start.Environment["CHAINS_OPENAI_ENDPOINT"] = null;
        start.Environment["CHAINS_OPENAI_MODEL"] = null;
        start.Environment["CHAINS_OPENAI_API_KEY"] = null;
        start.Environment["ORT_DISABLE_TELEMETRY"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await using (var stdin = process.StandardInput)
        {
            await stdin.WriteAsync(standardInput.AsMemory(), cancellationToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}
