using Chains.Docs.Snippets;
using Chains.Docs.Tests.Fakes;
using Chains.Runnables;

namespace Chains.Docs.Tests.Snippets;

public sealed class ChainsSnippetsTests
{
    [Fact]
    public async Task Pipe_RunsBothLambdas()
    {
        Assert.True(await ChainsSnippets.PipeAsync());
    }

    [Fact]
    public async Task Compose_CountsInParallelAndTakesTheMatchingBranch()
    {
        var (stats, longText, shortText) = await ChainsSnippets.ComposeAsync();

        Assert.Equal(new TextStats("typed chains for .NET".Length, 4), stats);
        Assert.Equal("long text: 9 words", longText);
        Assert.Equal("short text: 你好，世界", shortText);
    }

    [Fact]
    public async Task Batch_KeepsInputOrderAndBoundsConcurrency()
    {
        var model = TestChatClient.Echo();
        model.Latency = TimeSpan.FromMilliseconds(30);

        var answers = await ChainsSnippets.BatchAsync(model);

        Assert.Equal(["Translate into 中文: Good morning", "Translate into English: 谢谢", "Translate into 日本語: See you tomorrow"], answers);
        Assert.InRange(model.MaxConcurrentCalls, 1, 2);
        Assert.Contains("Translate into Deutsch: Hello", Output.Current);
    }

    [Fact]
    public async Task RetryAndFallback_PrimaryRecoversWithinItsAttempts()
    {
        var primary = TestChatClient.Replying("Typed LLM chains for .NET") ;
        primary.FailuresLeft = 2;
        var backup = TestChatClient.Replying("backup answer");

        var summary = await ChainsSnippets.RetryAndFallbackAsync(primary, backup);

        Assert.Equal("Typed LLM chains for .NET", summary);
        Assert.Equal(3, primary.Calls);
        Assert.Equal(0, backup.Calls);
    }

    [Fact]
    public async Task RetryAndFallback_PrimaryKeepsFailing_BackupAnswersAfterThreeAttempts()
    {
        var primary = TestChatClient.Replying("never");
        primary.FailuresLeft = int.MaxValue;
        var backup = TestChatClient.Echo();

        var summary = await ChainsSnippets.RetryAndFallbackAsync(primary, backup);

        Assert.Equal("Summarise in five words: Chains brings LangChain's programming model to .NET.", summary);
        Assert.Equal(3, primary.Calls);
        Assert.Equal(1, backup.Calls);
    }

    [Fact]
    public async Task Stream_PrintsTheTranslationFromOneStreamingCall()
    {
        var model = TestChatClient.Echo();

        await ChainsSnippets.StreamAsync(model);

        Assert.Equal(1, model.StreamingCalls);
        Assert.Equal("Translate into 中文: Streaming starts before the model finishes.", Output.Current);
    }

    [Fact]
    public async Task Events_StartAndCompleteEveryStepUnderTheNamedRun()
    {
        var events = await ChainsSnippets.EventsAsync(TestChatClient.Echo());

        var root = events[0];
        Assert.Equal(RunEventKind.Started, root.Kind);
        Assert.Equal("translate", root.Name);
        Assert.Null(root.ParentRunId);
        Assert.Contains("docs", root.Tags);
        var last = events[^1];
        Assert.Equal(RunEventKind.Completed, last.Kind);
        Assert.Equal(root.RunId, last.RunId);
        Assert.Equal("Translate into 中文: Events", ((RunCompletedEvent)last).Output);
        var started = events.Where(e => e.Kind == RunEventKind.Started).ToList();
        var completed = events.Where(e => e.Kind == RunEventKind.Completed).ToList();
        Assert.True(started.Count >= 4, string.Join(", ", started.Select(e => e.Name)));
        Assert.Equal(started.Select(e => e.RunId).Order(), completed.Select(e => e.RunId).Order());
        Assert.All(started.Skip(1), e => Assert.NotNull(e.ParentRunId));
        Assert.DoesNotContain(events, e => e.Kind == RunEventKind.Failed);
    }
}
