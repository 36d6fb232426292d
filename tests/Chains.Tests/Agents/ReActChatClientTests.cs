using Chains.Agents;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;
using static Chains.Tests.Agents.Script;

namespace Chains.Tests.Agents;

public sealed class ReActChatClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AIFunction Add() => AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two integers.");

    private static ChatOptions WithTools() => new() { Tools = [Add()], Temperature = 0 };

    [Fact]
    public async Task GetResponseAsync_NoTools_PassesThroughUnchanged()
    {
        var inner = Of(Text("plain"));
        using var client = new ReActChatClient(inner.Client);

        var response = await client.GetResponseAsync("hi", new ChatOptions { Temperature = 1 }, Ct);

        Assert.Equal("plain", response.Text);
        Assert.Equal(ChatRole.User, Assert.Single(inner.Sent[0]).Role);
        Assert.Null(inner.Options[0]!.StopSequences);
    }

    [Fact]
    public async Task GetResponseAsync_Tools_DescribedInSystemMessageAndNotSentNatively()
    {
        var inner = Of(Text("Final Answer: ok"));
        using var client = new ReActChatClient(inner.Client);

        await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Be nice."), new ChatMessage(ChatRole.User, "hi")], WithTools(), Ct);

        var system = inner.Sent[0][0];
        Assert.Equal(ChatRole.System, system.Role);
        Assert.StartsWith("Be nice.\n\nAnswer the user's request", system.Text, StringComparison.Ordinal);
        Assert.Contains("- add: Adds two integers.", system.Text, StringComparison.Ordinal);
        Assert.Equal(2, inner.Sent[0].Count);
        Assert.Null(inner.Options[0]!.Tools);
        Assert.Equal(0, inner.Options[0]!.Temperature);
        Assert.Contains("\nObservation:", inner.Options[0]!.StopSequences!);
    }

    [Fact]
    public async Task GetResponseAsync_ActionReply_BecomesFunctionCallWithReasoning()
    {
        var inner = Of(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Thought: sum it\nAction: add\nAction Input: {\"a\":2,\"b\":3}")) { Usage = new UsageDetails { TotalTokenCount = 9 } });
        using var client = new ReActChatClient(inner.Client);

        var response = await client.GetResponseAsync("2+3", WithTools(), Ct);

        var contents = Assert.Single(response.Messages).Contents;
        Assert.Equal("sum it", Assert.IsType<TextReasoningContent>(contents[0]).Text);
        var call = Assert.IsType<FunctionCallContent>(contents[1]);
        Assert.Equal("add", call.Name);
        Assert.Equal("react_1", call.CallId);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(9, response.Usage!.TotalTokenCount);
    }

    [Fact]
    public async Task GetResponseAsync_FinalAnswer_TextIsTheAnswerOnly()
    {
        var inner = Of(Text("Thought: easy\nFinal Answer: 5"));
        using var client = new ReActChatClient(inner.Client);

        var response = await client.GetResponseAsync("2+3", WithTools(), Ct);

        Assert.Equal("5", response.Text);
        Assert.Contains(response.Messages[0].Contents, c => c is TextReasoningContent { Text: "easy" });
    }

    [Fact]
    public async Task GetResponseAsync_MalformedReply_CallCarriesFormatError()
    {
        var inner = Of(Text("The answer is 5."));
        using var client = new ReActChatClient(inner.Client);

        var response = await client.GetResponseAsync("2+3", WithTools(), Ct);

        var call = Assert.Single(response.Messages[0].Contents.OfType<FunctionCallContent>());
        Assert.IsAssignableFrom<FormatException>(call.Exception);
        Assert.StartsWith("Invalid format:", call.Exception!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_HistoryWithCallsAndResults_RenderedAsActionsAndObservations()
    {
        var inner = Of(Text("Final Answer: 5"));
        using var client = new ReActChatClient(inner.Client);
        ChatMessage[] history =
        [
            new(ChatRole.User, "2+3?"),
            new(ChatRole.Assistant, [new TextReasoningContent("sum"), new FunctionCallContent("react_1", "add", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 3 })]),
            new(ChatRole.Tool, [new FunctionResultContent("react_1", 5)]),
        ];

        await client.GetResponseAsync(history, WithTools(), Ct);

        var sent = inner.Sent[0];
        Assert.Equal("Thought: sum\nAction: add\nAction Input: {\"a\":2,\"b\":3}", sent[2].Text);
        Assert.Equal(ChatRole.User, sent[3].Role);
        Assert.Equal("Observation: 5", sent[3].Text);
    }

    [Fact]
    public async Task GetResponseAsync_CallNumbers_ContinueAfterEarlierCalls()
    {
        var inner = Of(Text("Action: add\nAction Input: {\"a\":1,\"b\":1}"));
        using var client = new ReActChatClient(inner.Client);
        ChatMessage[] history =
        [
            new(ChatRole.User, "go"),
            new(ChatRole.Assistant, [new FunctionCallContent("react_1", "add", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 3 })]),
            new(ChatRole.Tool, [new FunctionResultContent("react_1", 5)]),
        ];

        var response = await client.GetResponseAsync(history, WithTools(), Ct);

        Assert.Equal("react_2", response.Messages[0].Contents.OfType<FunctionCallContent>().Single().CallId);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FinalAnswer_ThoughtStreamsAsReasoningAnswerAsText()
    {
        var inner = FakeChatClient.Streaming("Thou", "ght: I kn", "ow it\nFinal An", "swer: Par", "is is ", "lovely");
        using var client = new ReActChatClient(inner);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("capital?", WithTools(), Ct))
        {
            updates.Add(update);
        }

        var reasoning = string.Concat(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        var text = updates.SelectMany(u => u.Contents).OfType<TextContent>().Select(t => t.Text).ToList();
        Assert.Equal("Thought: I know it\n", reasoning);
        Assert.True(text.Count >= 2, "the answer should stream in pieces");
        Assert.Equal("Paris is lovely", string.Concat(text));
        Assert.Equal("Paris is lovely", updates.ToChatResponse().Text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Action_ReportedAsCallWhenComplete()
    {
        var inner = FakeChatClient.Streaming("Thought: add\n", "Action: ad", "d\nAction Input: {\"a\":", "4,\"b\":4}");
        using var client = new ReActChatClient(inner);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("4+4", WithTools(), Ct))
        {
            updates.Add(update);
        }

        Assert.Empty(updates.SelectMany(u => u.Contents).OfType<TextContent>());
        var call = Assert.Single(updates[^1].Contents.OfType<FunctionCallContent>());
        Assert.Equal("add", call.Name);
        Assert.Equal(ChatFinishReason.ToolCalls, updates[^1].FinishReason);
    }

    [Fact]
    public async Task AgentExecutor_OverReAct_RunsToolsFromTextReplies()
    {
        var inner = Of((turn, sent) => turn == 1
            ? Text("Thought: I need the sum.\nAction: add\nAction Input: {\"a\": 2, \"b\": 3}")
            : Text($"Thought: got {sent[^1].Text}\nFinal Answer: 5"));
        var agent = new AgentExecutor(new ReActChatClient(inner.Client), [Add()]);

        var result = await agent.InvokeAsync("What is 2+3?", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        Assert.Equal("5", result.Text);
        Assert.Equal("Observation: 5", inner.Sent[1][^1].Text);
        Assert.Equal(AgentToolCallStatus.Succeeded, result.Steps[0].ToolCalls[0].Status);
    }

    [Fact]
    public async Task AgentExecutor_OverReAct_MalformedStepFedBackAndCountedAsError()
    {
        var inner = Of((turn, _) => turn == 1 ? Text("It is probably 5.") : Text("Thought: fix format\nFinal Answer: 5"));
        var agent = new AgentExecutor(new ReActChatClient(inner.Client), [Add()]);

        var result = await agent.InvokeAsync("What is 2+3?", cancellationToken: Ct);

        Assert.Equal("5", result.Text);
        Assert.Equal(AgentToolCallStatus.InvalidArguments, result.Steps[0].ToolCalls[0].Status);
        Assert.Equal("It is probably 5.", inner.Sent[1][^2].Text);
        Assert.StartsWith("Observation: Error: Invalid format:", inner.Sent[1][^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentExecutor_OverReAct_AlwaysMalformed_StopsWithTooManyErrors()
    {
        var inner = Of(Text("rambling"));
        var agent = new AgentExecutor(new ReActChatClient(inner.Client), [Add()], new AgentExecutorOptions { MaxConsecutiveErrors = 1 });

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.TooManyErrors, result.StopReason);
        Assert.Equal(2, inner.Turns);
    }
}
