using System.Text.Json;
using Chains.LLamaSharp.Tests.Support;

namespace Chains.Samples.Tests;

/// <summary>
/// The Agent sample on the generated tiny GGUF (real llama.cpp, grammar-constrained tool calls), its approval prompt
/// answered through standard input as a person at the console would.
/// </summary>
public sealed class AgentTests : IDisposable
{
    private const string ApprovalPrompt = "? The agent wants to run write_file(";
    private readonly string _workspace = Directory.CreateTempSubdirectory("agent-sample-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_ApproverEditsTheArguments_TheToolWritesTheEditedFile()
    {
        var (exitCode, output, error) = await RunAsync("e\n{\"name\": \"note.txt\", \"content\": \"你好, agent\"}\n");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("Loading:   100%", output, StringComparison.Ordinal);
        Assert.True(output.Contains(ApprovalPrompt, StringComparison.Ordinal), output);
        Assert.Contains("[y]es / [n]o / [e]dit arguments: ", output, StringComparison.Ordinal);
        Assert.Contains("arguments as JSON: ", output, StringComparison.Ordinal);
        Assert.Contains("← write_file: Succeeded wrote 9 characters to note.txt", output, StringComparison.Ordinal);
        Assert.Equal("你好, agent", await File.ReadAllTextAsync(Path.Combine(_workspace, "note.txt"), Ct));
        Assert.Contains("[Completed after ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ApproverSaysYes_TheToolRunsWithTheModelsArguments()
    {
        var (exitCode, output, error) = await RunAsync("y\n");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.True(output.Contains(ApprovalPrompt, StringComparison.Ordinal), output);

        // The tiny model's arguments are random text within the tool's schema (a name of 1 to 64 characters): the call
        // runs as the model made it, and either writes that file or is refused by the tool's own workspace check.
        var (name, content) = Arguments(output);
        Assert.InRange(name.EnumerateRunes().Count(), 1, 64); // JSON-schema lengths count code points
        var plainName = name is not ("." or "..") && name.IndexOfAny(['/', '\0']) < 0;
        if (plainName)
        {
            Assert.Contains("← write_file: Succeeded wrote ", output, StringComparison.Ordinal);
            Assert.Equal(content, await File.ReadAllTextAsync(Path.Combine(_workspace, name), Ct));
        }
        else
        {
            Assert.Contains("← write_file: Failed", output, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(_workspace));
        }
    }

    [Fact]
    public async Task Run_ApproverSaysNo_TheToolDoesNotRunAndTheReasonReachesTheModel()
    {
        var (exitCode, output, error) = await RunAsync("n\nnot in this folder\n");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.True(output.Contains(ApprovalPrompt, StringComparison.Ordinal), output);
        Assert.Contains("reason (optional): ", output, StringComparison.Ordinal);
        Assert.Contains("← write_file: Rejected", output, StringComparison.Ordinal);
        Assert.Contains("not in this folder", output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_workspace));
    }

    [Fact]
    public async Task Run_InputEndsBeforeAnAnswer_TheCallIsRejected()
    {
        var (exitCode, output, error) = await RunAsync(string.Empty);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.True(output.Contains(ApprovalPrompt, StringComparison.Ordinal), output);
        Assert.Contains("← write_file: Rejected", output, StringComparison.Ordinal);
        Assert.Contains("nobody answered at the console", output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_workspace));
    }

    [Fact]
    public async Task Run_FirstToolUnknown_Exits2NamingTheTools()
    {
        var (exitCode, _, error) = await SampleProcess.RunAsync(
            "Agent",
            ["--model", TinyModel.DefaultPath, "--threads", "1", "--workspace", _workspace, "--first-tool", "delete_everything", "hi"],
            cancellationToken: Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("'delete_everything'", error, StringComparison.Ordinal);
        Assert.Contains("now, list_files, read_file, write_file", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RequestLongerThanTheContext_ReportsTheOverflowAndExits3()
    {
        // 1,200 Chinese characters are 3,600 byte tokens for the tiny model: more than its whole 2,048-token context.
        var request = string.Concat(Enumerable.Repeat("请把今天巴黎的天气写进笔记。", 100));

        var (exitCode, output, error) = await SampleProcess.RunAsync(
            "Agent",
            ["--model", TinyModel.DefaultPath, "--threads", "1", "--workspace", _workspace, request],
            cancellationToken: Ct);

        Assert.True(exitCode == 3, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("The request does not fit the model's context, so the agent stopped.", error, StringComparison.Ordinal);
        Assert.Contains("but the budget is 2048 tokens", error, StringComparison.Ordinal);
        Assert.Contains("--context N", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain("→ ", output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_workspace));
    }

    [Fact]
    public async Task Run_ContextLargerThanTheModels_Exits2NamingTheLimit()
    {
        var (exitCode, _, error) = await SampleProcess.RunAsync(
            "Agent",
            ["--model", TinyModel.DefaultPath, "--threads", "1", "--workspace", _workspace, "--context", "9000", "hi"],
            cancellationToken: Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("LlamaModelOptions.ContextSize 9000 exceeds the 2048-token context", error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    /// <summary>The arguments of the write_file call, from the line the sample prints when the tool starts.</summary>
    private static (string Name, string Content) Arguments(string output)
    {
        const string Marker = "→ write_file(";
        var start = output.IndexOf(Marker, StringComparison.Ordinal);
        Assert.True(start >= 0, output);
        start += Marker.Length;
        var end = output.IndexOf('\n', start);
        var json = output[start..end].TrimEnd('\r');
        using var arguments = JsonDocument.Parse(json[..json.LastIndexOf(')')]);
        return (arguments.RootElement.GetProperty("name").GetString()!, arguments.RootElement.GetProperty("content").GetString()!);
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(string input)
        => SampleProcess.RunAsync(
            "Agent",
            ["--model", TinyModel.DefaultPath, "--threads", "1", "--seed", "5", "--workspace", _workspace, "--first-tool", "write_file", "Save a short note."],
            environment: null,
            standardInput: input,
            cancellationToken: Ct);
}
