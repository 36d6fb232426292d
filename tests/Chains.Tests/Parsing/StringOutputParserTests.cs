using Chains.Parsing;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Parsing;

public class StringOutputParserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_Response_ReturnsText()
    {
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "你好，世界"));

        var text = await new StringOutputParser().InvokeAsync(response, cancellationToken: Ct);

        Assert.Equal("你好，世界", text);
    }

    [Fact]
    public async Task InvokeAsync_AfterModel_ReturnsModelText()
    {
        var chain = FakeChatClient.Replying("答案是 42").AsRunnable().Pipe(new StringOutputParser());

        Assert.Equal("答案是 42", await chain.InvokeAsync("问题", cancellationToken: Ct));
    }

    [Fact]
    public async Task StreamAsync_AfterStreamingModel_YieldsEachDeltaAsItArrives()
    {
        var client = FakeChatClient.Streaming("床前", "", "明月光");
        var chain = client.AsRunnable().Pipe(new StringOutputParser());

        var chunks = new List<string>();
        await foreach (var chunk in chain.StreamAsync("诗", cancellationToken: Ct))
        {
            chunks.Add(chunk);
        }

        Assert.Equal(["床前", "明月光"], chunks);
    }

    [Fact]
    public async Task StreamEventsAsync_Chain_ReportsParserStepWithCombinedText()
    {
        var chain = FakeChatClient.Streaming("a", "b").AsRunnable().Pipe(new StringOutputParser());

        var events = new List<RunEvent>();
        await foreach (var e in chain.StreamEventsAsync("x", cancellationToken: Ct))
        {
            events.Add(e);
        }

        var completed = Assert.Single(events.OfType<RunCompletedEvent>(), e => e.Info.StepKind == StepKinds.Parser);
        Assert.Equal("StringOutputParser", completed.Name);
        Assert.Equal("ab", completed.Output);
    }

    [Fact]
    public void Parse_Null_Throws()
        => Assert.Throws<ArgumentNullException>(() => new StringOutputParser().Parse(null!));

    [Fact]
    public void FormatInstructions_Default_IsEmpty()
        => Assert.Equal(string.Empty, new StringOutputParser().FormatInstructions);
}
