namespace Chains.Samples.Tests;

public sealed class AskDocsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("askdocs-").FullName;

    [Fact]
    public async Task Run_NoModel_IndexesOfflineAndPrintsPassagesWithSources()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, "notes")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "cats.md"), "# Cats\n\nCats sleep most of the day and love warm windowsills.\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "markets.md"), "# Markets\n\nStock markets fell sharply today after the interest rate decision.\n", TestContext.Current.CancellationToken);
        var index = Path.Combine(_root, "index");

        var (exitCode, output, error) = await SampleProcess.RunAsync(
            "AskDocs", ["--folder", folder, "--index", index, "--top", "1", "Where do cats like to sleep?"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("2 added", output, StringComparison.Ordinal);
        Assert.Contains("Best passages:", output, StringComparison.Ordinal);
        var passages = output[output.IndexOf("Best passages:", StringComparison.Ordinal)..];
        Assert.Contains("[1] cats.md", passages, StringComparison.Ordinal);
        Assert.DoesNotContain("markets.md", passages, StringComparison.Ordinal);
        Assert.Contains("CHAINS_OPENAI_ENDPOINT", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Twice_SecondRunEmbedsNothing()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, "docs")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "zh.md"), "# 猫\n\n猫一天中大部分时间都在睡觉，喜欢温暖的窗台。\n", TestContext.Current.CancellationToken);
        var index = Path.Combine(_root, "index2");

        var first = await SampleProcess.RunAsync("AskDocs", ["--folder", folder, "--index", index, "猫喜欢在哪里睡觉？"], cancellationToken: TestContext.Current.CancellationToken);
        var second = await SampleProcess.RunAsync("AskDocs", ["--folder", folder, "--index", index, "猫喜欢在哪里睡觉？"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        Assert.Contains("1 added", first.Output, StringComparison.Ordinal);
        Assert.Contains("1 unchanged", second.Output, StringComparison.Ordinal);
        Assert.Contains("0 chunks embedded in 0 calls", second.Output, StringComparison.Ordinal);
        Assert.Contains("猫一天中大部分时间都在睡觉", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingFolder_ExitsWithMessageNamingIt()
    {
        var missing = Path.Combine(_root, "nope");

        var (exitCode, _, error) = await SampleProcess.RunAsync("AskDocs", ["--folder", missing], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Contains(missing, error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
