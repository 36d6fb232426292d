using Chains.Agents;
using Chains.Memory;
using Microsoft.Extensions.AI;
using static Chains.Tests.Agents.Script;

namespace Chains.Tests.Agents;

public sealed class AgentHistoryExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AIFunction Add() => AIFunctionFactory.Create((int a, int b) => a + b, "add");

    [Fact]
    public async Task WithHistory_SecondTurn_SeesTheFirstTurnWithItsToolCalls()
    {
        var store = new InMemoryChatHistoryStore();
        var script = Of((turn, _) => turn switch
        {
            1 => Calls(Call("c1", "add", ("a", 2), ("b", 3))),
            2 => Text("5"),
            _ => Text("You asked about 2+3."),
        });
        var agent = new AgentExecutor(script.Client, [Add()], new AgentExecutorOptions { Instructions = "sys" }).WithHistory(store, "s1");

        await agent.InvokeAsync("2+3?", cancellationToken: Ct);
        var second = await agent.InvokeAsync("What did I ask?", cancellationToken: Ct);

        Assert.Equal("You asked about 2+3.", second.Text);
        var sent = script.Sent[2];
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant, ChatRole.User], sent.Select(m => m.Role));
        Assert.Equal("c1", Assert.IsType<FunctionResultContent>(Assert.Single(sent[3].Contents)).CallId);
        Assert.Equal(6, (await store.LoadAsync("s1", Ct)).Count);
    }

    [Fact]
    public async Task WithHistory_RunFails_NothingStored()
    {
        var store = new InMemoryChatHistoryStore();
        var script = OfAsync((_, _, _) => Task.FromException<ChatResponse>(new HttpRequestException("down")));
        var agent = new AgentExecutor(script.Client).WithHistory(store, "s1");

        await Assert.ThrowsAsync<HttpRequestException>(async () => await agent.InvokeAsync("hi", cancellationToken: Ct));

        Assert.Empty(await store.LoadAsync("s1", Ct));
    }

    [Fact]
    public async Task WithHistory_StoppedByLimit_StoresAValidTurnWithoutTheUnansweredCall()
    {
        var store = new InMemoryChatHistoryStore();
        var script = Of((turn, _) => Calls(Call($"c{turn}", "add", ("a", 1), ("b", 1))));
        var agent = new AgentExecutor(script.Client, [Add()], new AgentExecutorOptions { MaxIterations = 2 }).WithHistory(store, "s1");

        var result = await agent.InvokeAsync("loop", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.MaxIterations, result.StopReason);
        var stored = await store.LoadAsync("s1", Ct);
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool], stored.Select(m => m.Role));
    }

    [Fact]
    public async Task WithHistory_Reducer_FitsTheHistoryBeforeTheRun()
    {
        var store = new InMemoryChatHistoryStore();
        await store.AppendAsync("s1", Enumerable.Range(0, 10).Select(i => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, $"m{i}")), Ct);
        var script = Of(Text("ok"));
        var agent = new AgentExecutor(script.Client).WithHistory(store, "s1", new WindowChatReducer(3));

        await agent.InvokeAsync("new", cancellationToken: Ct);

        Assert.Equal("new", script.Sent[0][^1].Text);
        Assert.True(script.Sent[0].Count <= 4, $"sent {script.Sent[0].Count} messages");
    }

    [Fact]
    public async Task WithHistory_Streamed_TurnStoredAndResultYielded()
    {
        var store = new InMemoryChatHistoryStore();
        var script = Of(Text("streamed answer"));
        var agent = new AgentExecutor(script.Client).WithHistory(store, "s1");

        var events = new List<AgentEvent>();
        await foreach (var agentEvent in agent.StreamAgentEventsAsync("hi", cancellationToken: Ct))
        {
            events.Add(agentEvent);
        }

        Assert.Contains(events, e => e is AgentModelUpdateEvent);
        Assert.Equal("streamed answer", Assert.IsType<AgentCompletedEvent>(events[^1]).Result.Text);
        Assert.Equal(["hi", "streamed answer"], (await store.LoadAsync("s1", Ct)).Select(m => m.Text));
    }

    [Fact]
    public async Task WithHistory_SessionsFromInputs_KeptApart()
    {
        var store = new InMemoryChatHistoryStore();
        var script = Of((_, sent) => Text($"{sent.Count} messages"));
        var agent = new AgentExecutor(script.Client).WithHistory<(string Session, string Text), AgentResult>(store, r => r.Session, r => r.Text);

        await agent.InvokeAsync(("a", "one"), cancellationToken: Ct);
        await agent.InvokeAsync(("b", "one"), cancellationToken: Ct);
        var third = await agent.InvokeAsync(("a", "two"), cancellationToken: Ct);

        Assert.Equal("3 messages", third.Text);
        Assert.Equal(2, (await store.LoadAsync("b", Ct)).Count);
    }

    [Fact]
    public async Task WithHistory_InputCarriesHistory_Throws()
    {
        var agent = new AgentExecutor(Of(Text("x")).Client).WithHistory(new InMemoryChatHistoryStore(), "s1");

        await Assert.ThrowsAsync<ArgumentException>(async () => await agent.InvokeAsync(new AgentInput("hi") { History = [] }, cancellationToken: Ct));
    }

    [Fact]
    public void WithHistory_BlankSession_Throws()
        => Assert.Throws<ArgumentException>(() => new AgentExecutor(Of(Text("x")).Client).WithHistory(new InMemoryChatHistoryStore(), " "));
}
