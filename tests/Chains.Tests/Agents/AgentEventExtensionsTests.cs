using Chains.Agents;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;
using static Chains.Tests.Agents.Script;

namespace Chains.Tests.Agents;

public sealed class AgentEventExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AIFunction Add() => AIFunctionFactory.Create((int a, int b) => a + b, "add");

    private static async Task<List<AgentEvent>> CollectAsync<TResult>(Runnable<AgentInput, TResult> agent, AgentInput input, RunOptions? options = null)
        where TResult : AgentResult
    {
        var events = new List<AgentEvent>();
        await foreach (var agentEvent in agent.StreamAgentEventsAsync(input, options, Ct))
        {
            events.Add(agentEvent);
        }

        return events;
    }

    [Fact]
    public async Task StreamAgentEventsAsync_ToolRound_ModelDeltasThenToolStartAndEndThenResult()
    {
        var script = Of(Calls(Call("c1", "add", ("a", 1), ("b", 2))), Text("the sum is 3"));
        var agent = new AgentExecutor(script.Client, [Add()]);

        var events = await CollectAsync(agent, "1+2?");

        var kinds = events.Select(e => e.GetType().Name).ToList();
        Assert.Equal(
            [
                "AgentModelUpdateEvent", "AgentModelUpdateEvent", "AgentModelResponseEvent",
                "AgentToolStartedEvent", "AgentToolCompletedEvent",
                "AgentModelUpdateEvent", "AgentModelUpdateEvent", "AgentModelUpdateEvent", "AgentModelUpdateEvent", "AgentModelUpdateEvent",
                "AgentModelResponseEvent", "AgentCompletedEvent",
            ],
            kinds);
        Assert.Equal("the sum is 3", string.Concat(events.OfType<AgentModelUpdateEvent>().Where(e => e.Iteration == 2).Select(e => e.Update.Text)));
        var started = events.OfType<AgentToolStartedEvent>().Single();
        Assert.Equal("add", started.Call.Name);
        Assert.Equal(1, started.Iteration);
        var completed = events.OfType<AgentToolCompletedEvent>().Single();
        Assert.Equal(AgentToolCallStatus.Succeeded, completed.ToolCall.Status);
        var result = Assert.IsType<AgentCompletedEvent>(events[^1]).Result;
        Assert.Equal("the sum is 3", result.Text);
        Assert.Equal(2, result.Iterations);
    }

    [Fact]
    public async Task StreamAgentEventsAsync_ApprovalNeeded_AskedBeforeTheToolStarts()
    {
        var script = Of(Calls(Call("c1", "add", ("a", 1), ("b", 2))), Text("3"));
        var agent = new AgentExecutor(script.Client, [new ApprovalRequiredAIFunction(Add())], new AgentExecutorOptions
        {
            ApprovalCallback = (_, _) => ValueTask.FromResult(ToolApprovalDecision.Approve()),
        });

        var events = await CollectAsync(agent, "x");

        var asked = events.FindIndex(e => e is AgentApprovalRequestedEvent);
        var started = events.FindIndex(e => e is AgentToolStartedEvent);
        Assert.True(asked >= 0 && asked < started);
        Assert.Equal("add", ((AgentApprovalRequestedEvent)events[asked]).Request.ToolName);
    }

    [Fact]
    public async Task StreamAgentEventsAsync_RejectedCall_CompletedEventWithoutStart()
    {
        var script = Of(Calls(Call("c1", "add", ("a", 1), ("b", 2))), Text("ok"));
        var agent = new AgentExecutor(script.Client, [new ApprovalRequiredAIFunction(Add())], new AgentExecutorOptions
        {
            ApprovalCallback = (_, _) => ValueTask.FromResult(ToolApprovalDecision.Reject("no")),
        });

        var events = await CollectAsync(agent, "x");

        Assert.DoesNotContain(events, e => e is AgentToolStartedEvent);
        Assert.Equal(AgentToolCallStatus.Rejected, events.OfType<AgentToolCompletedEvent>().Single().ToolCall.Status);
    }

    [Fact]
    public async Task StreamAgentEventsAsync_AgentUsedAsToolOfAnotherAgent_OnlyOuterEvents()
    {
        var innerScript = Of(Calls(Call("i1", "add", ("a", 5), ("b", 5))), Text("ten"));
        var inner = new AgentExecutor(innerScript.Client, [Add()]);
        var outerScript = Of(Calls(Call("o1", "helper", ("input", "what is 5+5?"))), Text("helper says ten"));
        var outer = new AgentExecutor(outerScript.Client, [inner.AsTool("helper", "Asks the helper agent.", formatResult: r => r.Text)]);

        var events = await CollectAsync(outer, "x");

        Assert.Equal(["helper"], events.OfType<AgentToolStartedEvent>().Select(e => e.Call.Name));
        Assert.Equal("ten", Results(outerScript.Sent[1])[0].Result);
    }

    [Fact]
    public async Task StreamAgentEventsAsync_SinkInOptions_StillReceivesEveryEvent()
    {
        var sink = new CollectingSink();
        var script = Of(Text("hi"));
        var agent = new AgentExecutor(script.Client);

        var events = await CollectAsync(agent, "x", new RunOptions { EventSink = sink });

        Assert.Equal(events.Count - 1, sink.Events.OfType<RunChunkEvent>().Count(e => e.Chunk is AgentEvent));
    }

    [Fact]
    public void StreamAgentEventsAsync_NullAgent_Throws()
        => Assert.Throws<ArgumentNullException>(() => AgentEventExtensions.StreamAgentEventsAsync<AgentResult>(null!, "x", cancellationToken: Ct));
}
