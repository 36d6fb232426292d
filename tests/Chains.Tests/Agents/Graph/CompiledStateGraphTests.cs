using System.Text.Json;
using Chains.Agents.Graph;
using Chains.Runnables;
using Microsoft.Extensions.Time.Testing;

namespace Chains.Tests.Agents.Graph;

public sealed class CompiledStateGraphTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A state whose updates append to a log and add to a counter.</summary>
    public sealed record Notes(string[] Log, int Count)
    {
        public static Notes Of(params string[] log) => new(log, 0);
    }

    private static Notes Merge(Notes state, Notes update) => new([.. state.Log, .. update.Log], state.Count + update.Count);

    private static StateGraph<Notes> Appending() => new(Merge);

    private static async Task<List<GraphCheckpoint>> HistoryAsync(ICheckpointStore store, string thread)
    {
        var list = new List<GraphCheckpoint>();
        await foreach (var checkpoint in store.ListAsync(thread, Ct))
        {
            list.Insert(0, checkpoint);
        }

        return list;
    }

    [Fact]
    public async Task RunAsync_LinearGraph_EachNodeSeesThePreviousStateAndRunCompletes()
    {
        var graph = new StateGraph<int>()
            .AddNode("double", s => s * 2)
            .AddNode("inc", s => s + 1)
            .AddEdge(StateGraph.Start, "double")
            .AddEdge("double", "inc")
            .AddEdge("inc", StateGraph.End)
            .Compile();

        var result = await graph.RunAsync(5, cancellationToken: Ct);

        Assert.Equal(GraphStatus.Completed, result.Status);
        Assert.True(result.IsCompleted);
        Assert.Equal(11, result.State);
        Assert.Empty(result.NextNodes);
    }

    [Fact]
    public async Task RunAsync_CheckpointAfterEveryStep_RecordsStateRanAndNextNodes()
    {
        var store = new InMemoryCheckpointStore();
        var graph = new StateGraph<int>()
            .AddNode("double", s => s * 2)
            .AddNode("inc", s => s + 1)
            .AddEdge(StateGraph.Start, "double")
            .AddEdge("double", "inc")
            .AddEdge("inc", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store });

        var result = await graph.RunAsync(5, "thread-1", cancellationToken: Ct);

        var history = await HistoryAsync(store, "thread-1");
        Assert.Equal([0L, 1L, 2L], history.Select(c => c.Step));
        Assert.Equal([5, 10, 11], history.Select(c => c.State.GetInt32()));
        Assert.Equal(["", "double", "inc"], history.Select(c => string.Join(',', c.RanNodes)));
        Assert.Equal(["double", "inc", ""], history.Select(c => string.Join(',', c.NextNodes)));
        Assert.Equal([GraphStatus.Running, GraphStatus.Running, GraphStatus.Completed], history.Select(c => c.Status));
        Assert.Equal("thread-1", result.ThreadId);
        Assert.Equal(2, result.Step);
    }

    [Fact]
    public async Task RunAsync_FanOut_BranchesRunConcurrentlyAndMergeInDeclarationOrder()
    {
        var arrived = 0;
        var bothRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<Notes> Branch(string name, int delayMs, CancellationToken ct)
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                bothRunning.SetResult();
            }

            await bothRunning.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            await Task.Delay(TimeSpan.FromMilliseconds(delayMs), TimeProvider.System, ct);
            return new Notes([name], 1);
        }

        var graph = Appending()
            .AddNode("left", (s, ct) => Branch("left", 50, ct))
            .AddNode("right", (s, ct) => Branch("right", 0, ct))
            .AddNode("end", s => new Notes([$"end after {s.Count}"], 0))
            .AddEdge(StateGraph.Start, "left")
            .AddEdge(StateGraph.Start, "right")
            .AddEdge("left", "end")
            .AddEdge("right", "end")
            .AddEdge("end", StateGraph.End)
            .Compile();

        var result = await graph.RunAsync(Notes.Of("start"), cancellationToken: Ct);

        // "right" finished first, but updates fold in the order nodes were added; "end" runs once.
        Assert.Equal(["start", "left", "right", "end after 2"], result.State.Log);
    }

    [Fact]
    public async Task RunAsync_JoinEdge_TargetWaitsForBranchesOfDifferentLengths()
    {
        var result = await CrashTestGraph.Build(new StateGraphOptions()).RunAsync(CrashState.Empty, cancellationToken: Ct);

        Assert.Equal(["plan", "search_a", "search_b", "search_b2", "write(a1+b1+b2:2)"], result.State.Log.Take(5));
        Assert.Single(result.State.Log, l => l.StartsWith("write", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ConditionalEdge_LoopsUntilTheRouteEnds()
    {
        var graph = new StateGraph<int>()
            .AddNode("inc", s => s + 1)
            .AddEdge(StateGraph.Start, "inc")
            .AddConditionalEdge("inc", s => s < 5 ? "inc" : StateGraph.End)
            .Compile();

        Assert.Equal(5, (await graph.RunAsync(0, cancellationToken: Ct)).State);
    }

    [Fact]
    public async Task RunAsync_ConditionalFanOut_RoutesToSeveralNodes()
    {
        var graph = Appending()
            .AddNode("route", s => new Notes([], 0))
            .AddNode("x", s => new Notes(["x"], 0))
            .AddNode("y", s => new Notes(["y"], 0))
            .AddNode("z", s => new Notes(["z"], 0))
            .AddEdge(StateGraph.Start, "route")
            .AddConditionalEdges("route", s => ["z", "x"])
            .AddEdge("x", StateGraph.End)
            .AddEdge("y", StateGraph.End)
            .AddEdge("z", StateGraph.End)
            .Compile();

        Assert.Equal(["x", "z"], (await graph.RunAsync(Notes.Of(), cancellationToken: Ct)).State.Log);
    }

    [Fact]
    public async Task RunAsync_RouteToUnknownNode_ThrowsNamingIt()
    {
        var graph = new StateGraph<int>()
            .AddNode("a", s => s)
            .AddEdge(StateGraph.Start, "a")
            .AddConditionalEdge("a", _ => "nowhere")
            .Compile();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await graph.RunAsync(0, cancellationToken: Ct));

        Assert.Contains("'nowhere'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ParallelRouteWithoutReducer_ThrowsAskingForOne()
    {
        var graph = new StateGraph<int>()
            .AddNode("a", s => s)
            .AddNode("b", s => s)
            .AddNode("c", s => s)
            .AddEdge(StateGraph.Start, "a")
            .AddConditionalEdges("a", _ => ["b", "c"])
            .AddEdge("b", StateGraph.End)
            .AddEdge("c", StateGraph.End)
            .Compile();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await graph.RunAsync(0, cancellationToken: Ct));

        Assert.Contains("reducer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_InterruptBefore_PausesThenResumeRunsTheNode()
    {
        var store = new InMemoryCheckpointStore();
        var sent = 0;
        var graph = Appending()
            .AddNode("draft", s => new Notes(["draft"], 0))
            .AddNode("send", s =>
            {
                sent++;
                return new Notes(["sent"], 0);
            })
            .AddEdge(StateGraph.Start, "draft")
            .AddEdge("draft", "send")
            .AddEdge("send", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store, InterruptBefore = ["send"] });

        var paused = await graph.RunAsync(Notes.Of(), "t", cancellationToken: Ct);

        Assert.Equal(GraphStatus.Interrupted, paused.Status);
        Assert.Equal(new GraphInterrupt("send", InterruptTiming.Before), paused.Interrupt);
        Assert.Equal(["send"], paused.NextNodes);
        Assert.Equal(0, sent);

        var resumed = await graph.ResumeAsync("t", cancellationToken: Ct);

        Assert.Equal(GraphStatus.Completed, resumed.Status);
        Assert.Equal(["draft", "sent"], resumed.State.Log);
        Assert.Equal(1, sent);
    }

    [Fact]
    public async Task ResumeAsync_WithHumanInput_UpdateAppliedAndSavedAsItsOwnCheckpoint()
    {
        var store = new InMemoryCheckpointStore();
        var graph = Appending()
            .AddNode("draft", s => new Notes(["draft"], 0))
            .AddNode("send", s => new Notes([$"sent with {string.Join('/', s.Log)}"], 0))
            .AddEdge(StateGraph.Start, "draft")
            .AddEdge("draft", "send")
            .AddEdge("send", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store, InterruptBefore = ["send"] });
        await graph.RunAsync(Notes.Of(), "t", cancellationToken: Ct);

        var resumed = await graph.ResumeAsync("t", s => s with { Log = [.. s.Log, "approved by Ann"] }, cancellationToken: Ct);

        Assert.Equal("sent with draft/approved by Ann", resumed.State.Log[^1]);
        var history = await HistoryAsync(store, "t");
        var update = history.Single(c => c.RanNodes.Contains("__update__"));
        Assert.Equal(GraphStatus.Interrupted, update.Status);
        Assert.Equal(["send"], update.NextNodes);
    }

    [Fact]
    public async Task RunAsync_InterruptAfter_PausesWithTheNodesUpdateInTheState()
    {
        var store = new InMemoryCheckpointStore();
        var graph = Appending()
            .AddNode("plan", s => new Notes(["plan"], 0))
            .AddNode("act", s => new Notes(["act"], 0))
            .AddEdge(StateGraph.Start, "plan")
            .AddEdge("plan", "act")
            .AddEdge("act", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store, InterruptAfter = ["plan"] });

        var paused = await graph.RunAsync(Notes.Of(), "t", cancellationToken: Ct);

        Assert.Equal(new GraphInterrupt("plan", InterruptTiming.After), paused.Interrupt);
        Assert.Equal(["plan"], paused.State.Log);
        Assert.Equal(["act"], paused.NextNodes);
        Assert.Equal(["plan", "act"], (await graph.ResumeAsync("t", cancellationToken: Ct)).State.Log);
    }

    [Fact]
    public async Task RunAsync_InterruptAfterLastNode_ResumeRecordsCompletion()
    {
        var store = new InMemoryCheckpointStore();
        var graph = new StateGraph<int>()
            .AddNode("only", s => s + 1)
            .AddEdge(StateGraph.Start, "only")
            .AddEdge("only", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store, InterruptAfter = ["only"] });
        await graph.RunAsync(1, "t", cancellationToken: Ct);

        var resumed = await graph.ResumeAsync("t", s => s * 10, cancellationToken: Ct);

        Assert.Equal(GraphStatus.Completed, resumed.Status);
        Assert.Equal(20, resumed.State);
        Assert.Equal(GraphStatus.Completed, (await store.GetAsync("t", cancellationToken: Ct))!.Status);
    }

    [Fact]
    public async Task RunAsync_StepLimit_PausesAndResumeGoesOn()
    {
        var store = new InMemoryCheckpointStore();
        var graph = new StateGraph<int>()
            .AddNode("inc", s => s + 1)
            .AddEdge(StateGraph.Start, "inc")
            .AddConditionalEdge("inc", s => s < 5 ? "inc" : StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store, MaxSteps = 3 });

        var first = await graph.RunAsync(0, "t", cancellationToken: Ct);
        var second = await graph.ResumeAsync("t", cancellationToken: Ct);

        Assert.Equal(GraphStatus.StepLimitReached, first.Status);
        Assert.Equal(3, first.State);
        Assert.Equal(["inc"], first.NextNodes);
        Assert.Equal(GraphStatus.Completed, second.Status);
        Assert.Equal(5, second.State);
    }

    [Fact]
    public async Task RunAsync_ThreadPaused_ThrowsSayingResume()
    {
        var store = new InMemoryCheckpointStore();
        var graph = new StateGraph<int>().AddNode("a", s => s).AddEdge(StateGraph.Start, "a").AddEdge("a", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store, InterruptBefore = ["a"] });
        await graph.RunAsync(0, "t", cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await graph.RunAsync(0, "t", cancellationToken: Ct));

        Assert.Contains("ResumeAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CompletedThreadWithReducer_InputFoldedIntoPreviousState()
    {
        var store = new InMemoryCheckpointStore();
        var graph = Appending()
            .AddNode("reply", s => new Notes([$"reply to {s.Log[^1]}"], 1))
            .AddEdge(StateGraph.Start, "reply")
            .AddEdge("reply", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store });

        await graph.RunAsync(Notes.Of("hi"), "chat", cancellationToken: Ct);
        var second = await graph.RunAsync(Notes.Of("how are you"), "chat", cancellationToken: Ct);

        Assert.Equal(["hi", "reply to hi", "how are you", "reply to how are you"], second.State.Log);
        Assert.Equal(3, second.Step);
    }

    [Fact]
    public async Task ResumeAsync_NoStoreOrNoCheckpoint_ThrowsExplaining()
    {
        var plain = new StateGraph<int>().AddNode("a", s => s).AddEdge(StateGraph.Start, "a").AddEdge("a", StateGraph.End);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await plain.Compile().ResumeAsync("t", cancellationToken: Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await plain.Compile(new StateGraphOptions { CheckpointStore = new InMemoryCheckpointStore() }).ResumeAsync("t", cancellationToken: Ct));
    }

    [Fact]
    public async Task ResumeAsync_CompletedThread_ReturnsTheFinalState()
    {
        var store = new InMemoryCheckpointStore();
        var graph = new StateGraph<int>().AddNode("a", s => s + 1).AddEdge(StateGraph.Start, "a").AddEdge("a", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store });
        await graph.RunAsync(1, "t", cancellationToken: Ct);

        var again = await graph.ResumeAsync("t", cancellationToken: Ct);

        Assert.Equal(GraphStatus.Completed, again.Status);
        Assert.Equal(2, again.State);
    }

    [Fact]
    public async Task ResumeAsync_CheckpointNamesUnknownNode_ThrowsGraphChanged()
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(new GraphCheckpoint { ThreadId = "t", Step = 0, State = JsonElement.Parse("0"), NextNodes = ["removed"] }, CheckpointRetention.All, Ct);
        var graph = new StateGraph<int>().AddNode("a", s => s).AddEdge(StateGraph.Start, "a").AddEdge("a", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await graph.ResumeAsync("t", cancellationToken: Ct));

        Assert.Contains("'removed'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NodeFails_ExceptionPropagatesAndTheRunResumesFromTheLastCheckpoint()
    {
        var store = new InMemoryCheckpointStore();
        var attempts = 0;
        var graph = new StateGraph<int>()
            .AddNode("a", s => s + 1)
            .AddNode("flaky", s => ++attempts == 1 ? throw new TimeoutException("service down") : s * 10)
            .AddEdge(StateGraph.Start, "a")
            .AddEdge("a", "flaky")
            .AddEdge("flaky", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store });

        await Assert.ThrowsAsync<TimeoutException>(async () => await graph.RunAsync(1, "t", cancellationToken: Ct));
        var resumed = await graph.ResumeAsync("t", cancellationToken: Ct);

        Assert.Equal(20, resumed.State);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task RunAsync_ParallelNodeFails_SiblingCancelledAndFailureRethrown()
    {
        var siblingCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var graph = Appending()
            .AddNode("slow", async (s, ct) =>
            {
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }
                catch (OperationCanceledException)
                {
                    siblingCancelled.SetResult();
                    throw;
                }

                return s;
            })
            .AddNode("bad", s => throw new InvalidDataException("bad input"))
            .AddEdge(StateGraph.Start, "slow")
            .AddEdge(StateGraph.Start, "bad")
            .AddEdge("slow", StateGraph.End)
            .AddEdge("bad", StateGraph.End)
            .Compile();

        await Assert.ThrowsAsync<InvalidDataException>(async () => await graph.RunAsync(Notes.Of(), cancellationToken: Ct));
        await siblingCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task RunAsync_Retention_KeepsOnlyTheNewestCheckpoints()
    {
        var store = new InMemoryCheckpointStore();
        var graph = new StateGraph<int>()
            .AddNode("inc", s => s + 1)
            .AddEdge(StateGraph.Start, "inc")
            .AddConditionalEdge("inc", s => s < 10 ? "inc" : StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store, Retention = CheckpointRetention.KeepLast(3) });

        await graph.RunAsync(0, "t", cancellationToken: Ct);

        Assert.Equal([8L, 9L, 10L], (await HistoryAsync(store, "t")).Select(c => c.Step));
    }

    [Fact]
    public async Task RunAsync_CheckpointTime_FromTheRunsTimeProvider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero));
        var store = new InMemoryCheckpointStore();
        var graph = new StateGraph<int>().AddNode("a", s => s).AddEdge(StateGraph.Start, "a").AddEdge("a", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store });

        await graph.RunAsync(0, "t", new RunOptions { TimeProvider = time }, Ct);

        Assert.Equal(time.GetUtcNow(), (await store.GetAsync("t", cancellationToken: Ct))!.CreatedAt);
    }

    [Fact]
    public async Task GetStateAsync_PausedThread_StateStatusAndNextNodes()
    {
        var store = new InMemoryCheckpointStore();
        var graph = new StateGraph<int>().AddNode("a", s => s + 1).AddEdge(StateGraph.Start, "a").AddEdge("a", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store, InterruptBefore = ["a"] });
        await graph.RunAsync(7, "t", cancellationToken: Ct);

        var state = await graph.GetStateAsync("t", Ct);

        Assert.NotNull(state);
        Assert.Equal(7, state.State);
        Assert.Equal(GraphStatus.Interrupted, state.Status);
        Assert.Equal(["a"], state.NextNodes);
        Assert.Null(await graph.GetStateAsync("other", Ct));
    }

    [Fact]
    public async Task InvokeAsync_AsAStep_ReturnsTheFinalState()
    {
        var graph = new StateGraph<int>().AddNode("a", s => s + 1).AddEdge(StateGraph.Start, "a").AddEdge("a", StateGraph.End).Compile();

        Assert.Equal(43, await graph.Pipe(Runnable.Lambda((int s) => s + 1)).InvokeAsync(41, cancellationToken: Ct));
    }

    [Fact]
    public async Task InvokeAsync_Interrupted_ThrowsGraphPausedWithTheThreadToResume()
    {
        var store = new InMemoryCheckpointStore();
        var graph = new StateGraph<int>().AddNode("a", s => s + 1).AddEdge(StateGraph.Start, "a").AddEdge("a", StateGraph.End)
            .Compile(new StateGraphOptions { CheckpointStore = store, InterruptBefore = ["a"] });

        var paused = await Assert.ThrowsAsync<GraphPausedException>(async () => await graph.InvokeAsync(1, cancellationToken: Ct));

        Assert.Equal(GraphStatus.Interrupted, paused.Status);
        Assert.Equal(1, paused.State);
        Assert.Equal(2, (await graph.ResumeAsync(paused.ThreadId, cancellationToken: Ct)).State);
    }

    [Fact]
    public async Task StreamAsync_YieldsTheStateAfterEveryStep()
    {
        var graph = new StateGraph<int>()
            .AddNode("inc", s => s + 1)
            .AddEdge(StateGraph.Start, "inc")
            .AddConditionalEdge("inc", s => s < 3 ? "inc" : StateGraph.End)
            .Compile();

        var states = new List<int>();
        await foreach (var state in graph.StreamAsync(0, cancellationToken: Ct))
        {
            states.Add(state);
        }

        Assert.Equal([1, 2, 3], states);
    }

    [Fact]
    public async Task RunAsync_Observed_NodesAreChildStepsNamedAfterTheNodes()
    {
        var sink = new Fakes.CollectingSink();
        var graph = new StateGraph<int>()
            .AddNode("first", s => s + 1)
            .AddNode("second", s => s + 1)
            .AddEdge(StateGraph.Start, "first")
            .AddEdge("first", "second")
            .AddEdge("second", StateGraph.End)
            .Compile();

        await graph.RunAsync(0, options: new RunOptions { EventSink = sink }, cancellationToken: Ct);

        var started = sink.Events.OfType<RunStartedEvent>().ToList();
        Assert.Equal(["StateGraph", "first", "second"], started.Select(e => e.Name));
        Assert.Equal("graph", started[0].Info.StepKind);
        Assert.All(started.Skip(1), e => Assert.Equal(started[0].RunId, e.ParentRunId));
    }
}
