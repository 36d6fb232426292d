using System.Globalization;
using System.Text.RegularExpressions;
using Chains.LLamaSharp.Tests.Support;

namespace Chains.Samples.Tests;

/// <summary>The LocalChat sample on the generated tiny GGUF, run by real llama.cpp (CPU backend, one thread).</summary>
public sealed partial class LocalChatTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_Prompt_PrintsModelInfoMemoryEstimateAndStreamedAnswer()
    {
        var (exitCode, output, error) = await RunAsync(["--prompt", "Hello 你好", "--seed", "42"]);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("Model:    tiny-test-llama (llama, ", output, StringComparison.Ordinal);
        Assert.Contains("ctx 2048)", output, StringComparison.Ordinal);
        var vocabulary = TinyModel.Vocabulary().Tokens.Count;
        Assert.Contains($"Shape:    2 layers, 64 wide, 4 heads (2 KV), vocabulary {vocabulary}", output, StringComparison.Ordinal);
        Assert.Contains("Template: from the GGUF", output, StringComparison.Ordinal);
        Assert.Contains("Memory at 512 tokens:", output, StringComparison.Ordinal);
        Assert.Contains("  as stored  ", output, StringComparison.Ordinal);
        Assert.Contains("Loading:  100%", output, StringComparison.Ordinal);
        Assert.Matches(BackendLine(), output);
        Assert.Contains("> Hello 你好", output, StringComparison.Ordinal);

        var turn = Assert.Single(Turns(output));
        Assert.InRange(turn.Generated, 1, 12);
        Assert.True(turn.PromptTokens > 0, output);
        Assert.Equal(turn.Generated == 12 ? "length" : "stop", turn.FinishReason);
    }

    [Fact]
    public async Task Run_SameSeedTwice_SameAnswer()
    {
        var first = await RunAsync(["--prompt", "Tell me a story", "--seed", "7"]);
        var second = await RunAsync(["--prompt", "Tell me a story", "--seed", "7"]);

        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        var answer = Answer(first.Output, "> Tell me a story");
        Assert.False(string.IsNullOrEmpty(answer), first.Output);
        Assert.Equal(answer, Answer(second.Output, "> Tell me a story"));
    }

    [Fact]
    public async Task Run_TurnsFromStandardInput_AnswersEachAndReusesTheCachedPrompt()
    {
        var (exitCode, output, error) = await RunAsync(["--seed", "3"], "hello\n世界\n\n");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var turns = Turns(output);
        Assert.Equal(2, turns.Count);
        Assert.All(turns, t => Assert.InRange(t.Generated, 1, 12));

        // The second turn's prompt starts with the first turn's prompt and answer, already in the KV cache.
        Assert.True(turns[1].PromptTokens > turns[0].PromptTokens, output);
        Assert.True(turns[1].Cached > 0, output);
    }

    [Fact]
    public async Task Run_NoModelPath_PrintsUsageAndExits2()
    {
        var (exitCode, _, error) = await SampleProcess.RunAsync("LocalChat", ["--prompt", "hi"], cancellationToken: Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("usage: LocalChat <model.gguf>", error, StringComparison.Ordinal);
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyList<string> options, string? input = null)
        => SampleProcess.RunAsync(
            "LocalChat",
            [TinyModel.DefaultPath, "--threads", "1", "--ctx", "512", "--max-tokens", "12", .. options],
            environment: null,
            standardInput: input,
            cancellationToken: Ct);

    /// <summary>The streamed answer: the text between the echoed question and the turn's summary line.</summary>
    private static string Answer(string output, string question)
    {
        var start = output.IndexOf(question, StringComparison.Ordinal);
        Assert.True(start >= 0, output);
        start += question.Length;
        var end = output.IndexOf("\n[", start, StringComparison.Ordinal);
        Assert.True(end >= 0, output);
        return output[start..end].Trim('\r', '\n');
    }

    private static List<Turn> Turns(string output)
        => [.. SummaryLine().Matches(output).Select(m => new Turn(
            m.Groups["reason"].Value,
            int.Parse(m.Groups["prompt"].Value, CultureInfo.InvariantCulture),
            m.Groups["cached"].Value is { Length: > 0 } c ? int.Parse(c, CultureInfo.InvariantCulture) : 0,
            int.Parse(m.Groups["generated"].Value, CultureInfo.InvariantCulture)))];

    [GeneratedRegex(@"^\[(?<reason>\w+); (?<prompt>\d+) prompt tokens \((?<cached>\d*) cached\), (?<generated>\d+) generated\]", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"Backend:  .+, GPU layers 0 \(requested ")]
    private static partial Regex BackendLine();

    private sealed record Turn(string FinishReason, int PromptTokens, int Cached, int Generated);
}
