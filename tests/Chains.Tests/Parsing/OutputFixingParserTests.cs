using System.Text.Json;
using Chains.Parsing;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Parsing;

public class OutputFixingParserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_FirstFixStillBrokenSecondFixed_ReturnsFixedValue()
    {
        var fixer = Answering("还是不对 {", "{\"name\": \"张三\"}");
        var parser = new OutputFixingParser<JsonElement>(new JsonOutputParser(), fixer, maxAttempts: 2);

        var element = await parser.InvokeAsync(Response("名字是张三"), cancellationToken: Ct);

        Assert.Equal("张三", element.GetProperty("name").GetString());
        Assert.Equal(2, fixer.Calls);
    }

    [Fact]
    public async Task InvokeAsync_Fixing_PromptHoldsInstructionsBadAnswerAndError()
    {
        var prompts = new List<string>();
        var fixer = Answering("[1]");
        var inner = fixer.GetResponseAsyncCallback!;
        fixer.GetResponseAsyncCallback = (messages, options, ct) =>
        {
            prompts.Add(string.Join("\n", messages.Select(m => m.Text)));
            return inner(messages, options, ct);
        };

        await new JsonOutputParser().WithFixing(fixer).InvokeAsync(Response("没有 JSON"), cancellationToken: Ct);

        var prompt = Assert.Single(prompts);
        Assert.Contains(new JsonOutputParser().FormatInstructions, prompt, StringComparison.Ordinal);
        Assert.Contains("没有 JSON", prompt, StringComparison.Ordinal);
        Assert.Contains("Expected a JSON object or array", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_AttemptsExhausted_ThrowsWithLastRawText()
    {
        var fixer = Answering("第一次修复", "第二次修复", "不会用到");
        var parser = new JsonOutputParser().WithFixing(fixer, maxAttempts: 2);

        var ex = await Assert.ThrowsAsync<OutputParserException>(() => parser.InvokeAsync(Response("原始回答"), cancellationToken: Ct).AsTask());

        Assert.Equal("第二次修复", ex.RawText);
        Assert.Equal(typeof(JsonElement), ex.TargetType);
        Assert.IsType<OutputParserException>(ex.InnerException);
        Assert.Contains("2 attempt", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, fixer.Calls);
    }

    [Fact]
    public async Task InvokeAsync_ParsesFirstTime_DoesNotCallModel()
    {
        var fixer = Answering("unused");

        var value = await new BooleanOutputParser().WithFixing(fixer).InvokeAsync(Response("是"), cancellationToken: Ct);

        Assert.True(value);
        Assert.Equal(0, fixer.Calls);
    }

    [Fact]
    public async Task InvokeAsync_Observed_EachAttemptIsChildStep()
    {
        var sink = new CollectingSink();
        var fixer = Answering("依然坏了", "{\"ok\": true}");
        fixer.Metadata = new ChatClientMetadata("fake", null, "fixer-model");
        var parser = new JsonOutputParser().WithFixing(fixer, maxAttempts: 3);

        await parser.InvokeAsync(Response("broken"), new RunOptions { EventSink = sink }, Ct);

        var events = sink.Events;
        var root = Assert.Single(events.OfType<RunStartedEvent>(), e => e.Name == "OutputFixingParser");
        var modelCalls = events.OfType<RunStartedEvent>().Where(e => e.Info.StepKind == StepKinds.ChatModel).ToList();
        Assert.Equal(2, modelCalls.Count);
        Assert.All(modelCalls, e => Assert.Equal(root.RunId, e.ParentRunId));
        Assert.All(modelCalls, e => Assert.Equal("fixer-model", e.Name));
        var parses = events.OfType<RunStartedEvent>().Where(e => e.Name == "JsonOutputParser").ToList();
        Assert.Equal(3, parses.Count);
        Assert.All(parses, e => Assert.Equal(root.RunId, e.ParentRunId));
        Assert.Equal(2, events.OfType<RunFailedEvent>().Count(e => e.Name == "JsonOutputParser"));
        Assert.IsType<RunCompletedEvent>(events[^1]);
    }

    [Fact]
    public async Task StreamEventsAsync_AfterModel_NestsReAsksUnderFixingParser()
    {
        var fixer = Answering("{\"fixed\": 1}");
        fixer.Metadata = new ChatClientMetadata("fake", null, "fixer-model");
        var chain = FakeChatClient.Streaming("not ", "json").AsRunnable().Pipe(new JsonOutputParser().WithFixing(fixer));

        var events = new List<RunEvent>();
        await foreach (var e in chain.StreamEventsAsync("x", cancellationToken: Ct))
        {
            events.Add(e);
        }

        var fixing = Assert.Single(events.OfType<RunStartedEvent>(), e => e.Name == "OutputFixingParser");
        var reAsk = Assert.Single(events.OfType<RunStartedEvent>(), e => e.Name == "fixer-model");
        Assert.Equal(fixing.RunId, reAsk.ParentRunId);
        var done = Assert.Single(events.OfType<RunCompletedEvent>(), e => e.Name == "OutputFixingParser");
        Assert.Equal(1, Assert.IsType<JsonElement>(done.Output).GetProperty("fixed").GetInt32());
    }

    [Fact]
    public void Parse_BadText_ThrowsWithoutCallingModel()
    {
        var fixer = Answering("{}");
        var parser = new JsonOutputParser().WithFixing(fixer);

        Assert.Throws<OutputParserException>(() => parser.Parse("bad"));
        Assert.Equal(0, fixer.Calls);
    }

    [Fact]
    public void FormatInstructions_Wrapped_AreInnerParsers()
        => Assert.Equal(new ListOutputParser().FormatInstructions, new ListOutputParser().WithFixing(Answering("x")).FormatInstructions);

    [Fact]
    public void Constructor_ZeroAttempts_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new OutputFixingParser<bool>(new BooleanOutputParser(), Answering("x"), 0));

    [Fact]
    public void Constructor_NullModel_Throws()
        => Assert.Throws<ArgumentNullException>(() => new OutputFixingParser<bool>(new BooleanOutputParser(), null!));

    private static ChatResponse Response(string text) => new(new ChatMessage(ChatRole.Assistant, text));

    private static FakeChatClient Answering(params string[] answers)
    {
        var next = 0;
        return new FakeChatClient
        {
            GetResponseAsyncCallback = (_, _, _) =>
                Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answers[Math.Min(Interlocked.Increment(ref next) - 1, answers.Length - 1)]))),
        };
    }
}
