using Chains.Parsing;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Parsing;

public class OutputParserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_CustomParser_ParsesResponseText()
    {
        var length = await new LengthParser().InvokeAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, "四个汉字")), cancellationToken: Ct);

        Assert.Equal(4, length);
    }

    [Fact]
    public async Task InvokeAsync_ParseFails_ReturnsFaultedTaskWithParserException()
    {
        var task = new LengthParser().InvokeAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Empty)), cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<OutputParserException>(() => task.AsTask());
        Assert.Equal(string.Empty, ex.RawText);
    }

    [Fact]
    public async Task InvokeAsync_Observed_ReportsParserStepKind()
    {
        var sink = new CollectingSink();

        await new LengthParser().InvokeAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ab")), new RunOptions { EventSink = sink }, Ct);

        var started = Assert.IsType<RunStartedEvent>(sink.Events[0]);
        Assert.Equal(StepKinds.Parser, started.Info.StepKind);
        Assert.Equal("LengthParser", started.Name);
    }

    [Fact]
    public async Task StreamAsync_ParserWithoutStreaming_CombinesChunksFirst()
    {
        var chain = FakeChatClient.Streaming("ab", "cd").AsRunnable().Pipe(new LengthParser());

        var chunks = new List<int>();
        await foreach (var chunk in chain.StreamAsync("x", cancellationToken: Ct))
        {
            chunks.Add(chunk);
        }

        Assert.Equal([4], chunks);
    }

    private sealed class LengthParser : OutputParser<int>
    {
        public override int Parse(string text)
            => text.Length > 0 ? text.Length : throw new OutputParserException("Expected some text.", text, typeof(int));
    }
}
