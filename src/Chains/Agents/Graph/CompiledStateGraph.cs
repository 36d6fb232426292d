using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Chains.Runnables;

namespace Chains.Agents.Graph;

/// <summary>
/// A checked, runnable <see cref="StateGraph{TState}"/>. Each step runs its nodes concurrently, folds their updates into
/// the state, saves a checkpoint and picks the next nodes, until no node remains, a node asks for a pause, or the step
/// limit is reached. A paused or crashed run resumes from its last checkpoint with <see cref="ResumeAsync"/>.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <remarks>
/// <para>As a step (<c>InvokeAsync</c>), the graph runs on a new thread and returns the final state; a pause throws
/// <see cref="GraphPausedException"/>. Streaming yields the state after every step. Each node runs as a child step named
/// after the node.</para>
/// <para>Resuming after a crash re-runs the step that was in progress (checkpoints are taken between steps), so nodes
/// with side effects should be idempotent.</para>
/// <para>Immutable and thread-safe; distinct threads may run concurrently.</para>
/// </remarks>
public sealed class CompiledStateGraph<TState> : Runnable<TState, TState>
{
    private const string UpdateNode = "__update__";
    private readonly StateGraph<TState>.NodeDefinition[] _nodes;
    private readonly Dictionary<string, int> _order;
    private readonly Dictionary<string, string[]> _edges;
    private readonly Dictionary<string, Func<TState, IEnumerable<string>>[]> _routes;
    private readonly StateGraph<TState>.JoinDefinition[] _joins;
    private readonly Func<TState, TState, TState>? _reducer;
    private readonly StateGraphOptions _options;
    private readonly HashSet<string> _interruptBefore;
    private readonly HashSet<string> _interruptAfter;
    private readonly JsonTypeInfo<TState> _stateType;
    private readonly GraphRunner _runner;

    internal CompiledStateGraph(
        StateGraph<TState>.NodeDefinition[] nodes,
        Dictionary<string, string[]> edges,
        Dictionary<string, Func<TState, IEnumerable<string>>[]> routes,
        StateGraph<TState>.JoinDefinition[] joins,
        Func<TState, TState, TState>? reducer,
        StateGraphOptions options)
    {
        _nodes = nodes;
        _order = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Length; i++)
        {
            _order[nodes[i].Name] = i;
        }

        _edges = edges;
        _routes = routes;
        _joins = joins;
        _reducer = reducer;
        _options = options;
        _interruptBefore = new HashSet<string>(options.InterruptBefore, StringComparer.Ordinal);
        _interruptAfter = new HashSet<string>(options.InterruptAfter, StringComparer.Ordinal);
        var serializerOptions = options.SerializerOptions ?? JsonSerializerOptions.Web;
        _stateType = (JsonTypeInfo<TState>)serializerOptions.GetTypeInfo(typeof(TState));
        _runner = new GraphRunner(this);
        Nodes = [.. nodes.Select(n => n.Name)];
    }

    /// <inheritdoc />
    public override string Name => "StateGraph";

    /// <summary>Gets the node names, in the order they were added (the order updates are folded in).</summary>
    public IReadOnlyList<string> Nodes { get; }

    /// <summary>Gets the options the graph was compiled with.</summary>
    public StateGraphOptions Options => _options;

    /// <inheritdoc />
    protected internal override string StepKind => "graph";

    /// <summary>Runs the graph from <paramref name="input"/> on a thread until it completes or pauses.</summary>
    /// <param name="input">The initial state. On a thread with an earlier completed run and a reducer, it is folded into
    /// that run's final state as an update.</param>
    /// <param name="threadId">The thread to checkpoint under; <see langword="null"/> for a new one.</param>
    /// <param name="options">Options for the run (events, logging, time).</param>
    /// <param name="cancellationToken">A token that cancels the run; the last checkpoint remains resumable.</param>
    /// <returns>The state and status; a paused run's <see cref="GraphRunResult{TState}.ThreadId"/> resumes it.</returns>
    /// <exception cref="InvalidOperationException">The thread has a paused or unfinished run (resume it instead), a route
    /// named an unknown node, or parallel nodes ran without a reducer.</exception>
    public async ValueTask<GraphRunResult<TState>> RunAsync(TState input, string? threadId = null, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (threadId is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(threadId);
        }

        return await _runner.InvokeAsync(new GraphRequest(input, threadId ?? NewThreadId(), Resume: false, Update: null), options, cancellationToken);
    }

    /// <summary>Resumes a thread from its latest checkpoint: after an interrupt (with the human's input), at the step limit,
    /// or after the process running it died. A completed thread returns its final state.</summary>
    /// <param name="threadId">The thread.</param>
    /// <param name="update">Changes the state before the run goes on (e.g. records a human's approval or correction); it is
    /// saved as its own checkpoint. <see langword="null"/> to go on unchanged.</param>
    /// <param name="options">Options for the run (events, logging, time).</param>
    /// <param name="cancellationToken">A token that cancels the run.</param>
    /// <returns>The state and status.</returns>
    /// <exception cref="ArgumentException"><paramref name="threadId"/> is empty or whitespace.</exception>
    /// <exception cref="InvalidOperationException">No checkpoint store, no checkpoint for the thread, or the checkpoint
    /// names nodes this graph does not have.</exception>
    public async ValueTask<GraphRunResult<TState>> ResumeAsync(string threadId, Func<TState, TState>? update = null, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(threadId);
        return await _runner.InvokeAsync(new GraphRequest(default!, threadId, Resume: true, update), options, cancellationToken);
    }

    /// <summary>Reads a thread's latest checkpoint.</summary>
    /// <param name="threadId">The thread.</param>
    /// <param name="cancellationToken">A token that cancels the read.</param>
    /// <returns>The state and status, or <see langword="null"/> when the thread has no checkpoint.</returns>
    /// <exception cref="InvalidOperationException">The graph has no checkpoint store.</exception>
    public async ValueTask<GraphRunResult<TState>?> GetStateAsync(string threadId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(threadId);
        var store = _options.CheckpointStore ?? throw new InvalidOperationException("The graph keeps no checkpoints: set StateGraphOptions.CheckpointStore.");
        var checkpoint = await store.GetAsync(threadId, null, cancellationToken);
        return checkpoint is null
            ? null
            : new GraphRunResult<TState>(threadId, Deserialize(checkpoint.State), checkpoint.Status, checkpoint.Step, checkpoint.NextNodes, checkpoint.Interrupt);
    }

    /// <inheritdoc />
    protected internal override async ValueTask<TState> InvokeCoreAsync(TState input, RunContext context, CancellationToken cancellationToken)
    {
        GraphRunResult<TState>? result = null;
        await foreach (var progress in ExecuteAsync(new GraphRequest(input, NewThreadId(), false, null), context, cancellationToken))
        {
            result = progress.Result ?? result;
        }

        return Completed(result!);
    }

    /// <inheritdoc />
    protected internal override async IAsyncEnumerable<TState> StreamCoreAsync(TState input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        GraphRunResult<TState>? result = null;
        await foreach (var progress in ExecuteAsync(new GraphRequest(input, NewThreadId(), false, null), context, cancellationToken))
        {
            if (progress.Result is { } final)
            {
                result = final;
            }
            else
            {
                yield return progress.State;
            }
        }

        Completed(result!);
    }

    private static TState Completed(GraphRunResult<TState> result)
        => result.IsCompleted ? result.State : throw new GraphPausedException(result.ThreadId, result.Status, result.Interrupt, result.NextNodes, result.State);

    private static string NewThreadId() => Guid.CreateVersion7().ToString("N");

    private async IAsyncEnumerable<(TState State, GraphRunResult<TState>? Result)> ExecuteAsync(GraphRequest request, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var store = _options.CheckpointStore;
        var threadId = request.ThreadId;
        var logger = context.Options?.LoggerFactory?.CreateLogger(AgentLog.CategoryName);
        var last = store is null ? null : await store.GetAsync(threadId, null, cancellationToken);
        TState state;
        long step;
        string[] next;
        Dictionary<string, HashSet<string>> joins;
        var skipInterruptBefore = false;
        GraphStatus savedStatus;

        if (!request.Resume)
        {
            if (last is { Status: not GraphStatus.Completed })
            {
                throw new InvalidOperationException($"Thread '{threadId}' has an unfinished run ({last.Status} at step {last.Step}); resume it with ResumeAsync or use another thread.");
            }

            state = last is not null && _reducer is not null ? _reducer(Deserialize(last.State), request.Input) : request.Input;
            step = last is null ? 0 : last.Step + 1;
            joins = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            next = Next([StateGraph.Start], state, joins);
            savedStatus = next.Length == 0 ? GraphStatus.Completed : GraphStatus.Running;
            await SaveAsync(context, threadId, step, state, next, [], savedStatus, null, joins, cancellationToken);
        }
        else
        {
            if (store is null)
            {
                throw new InvalidOperationException("The graph keeps no checkpoints, so there is nothing to resume: set StateGraphOptions.CheckpointStore.");
            }

            if (last is null)
            {
                throw new InvalidOperationException($"Thread '{threadId}' has no checkpoint to resume from.");
            }

            state = Deserialize(last.State);
            step = last.Step;
            foreach (var node in last.NextNodes)
            {
                if (!_order.ContainsKey(node))
                {
                    throw new InvalidOperationException($"The checkpoint of thread '{threadId}' schedules node '{node}', which this graph does not have (was the graph changed?).");
                }
            }

            next = [.. last.NextNodes];
            joins = last.PendingJoins?.ToDictionary(j => j.Key, j => new HashSet<string>(j.Value, StringComparer.Ordinal), StringComparer.Ordinal)
                ?? new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            skipInterruptBefore = last.Status == GraphStatus.Interrupted && last.Interrupt?.Timing == InterruptTiming.Before;
            savedStatus = last.Status;
            if (request.Update is { } update)
            {
                state = update(state);
                step++;

                // Keep the pause point: a crash right after this save resumes exactly as this resume would.
                await SaveAsync(context, threadId, step, state, next, [UpdateNode], savedStatus, last.Interrupt, joins, cancellationToken);
            }
        }

        var steps = 0;
        while (next.Length > 0)
        {
            if (steps >= _options.MaxSteps)
            {
                if (savedStatus != GraphStatus.StepLimitReached)
                {
                    step++;
                    await SaveAsync(context, threadId, step, state, next, [], GraphStatus.StepLimitReached, null, joins, cancellationToken);
                }

                yield return (state, new GraphRunResult<TState>(threadId, state, GraphStatus.StepLimitReached, step, next, null));
                yield break;
            }

            if (!skipInterruptBefore && Array.Find(next, _interruptBefore.Contains) is { } pauseBefore)
            {
                var interrupt = new GraphInterrupt(pauseBefore, InterruptTiming.Before);
                step++;
                await SaveAsync(context, threadId, step, state, next, [], GraphStatus.Interrupted, interrupt, joins, cancellationToken);
                if (logger is not null)
                {
                    AgentLog.GraphInterrupted(logger, threadId, "before " + pauseBefore, step);
                }

                yield return (state, new GraphRunResult<TState>(threadId, state, GraphStatus.Interrupted, step, next, interrupt));
                yield break;
            }

            skipInterruptBefore = false;
            if (next.Length > 1 && _reducer is null)
            {
                throw new InvalidOperationException($"Nodes {string.Join(", ", next)} run in the same step, so their updates must be merged: pass a reducer to the StateGraph constructor.");
            }

            var updates = await RunNodesAsync(next, state, context, cancellationToken);
            foreach (var nodeUpdate in updates)
            {
                state = _reducer is null ? nodeUpdate : _reducer(state, nodeUpdate);
            }

            steps++;
            step++;
            var ran = next;
            next = Next(ran, state, joins);
            var pauseAfter = Array.Find(ran, _interruptAfter.Contains);
            savedStatus = pauseAfter is not null ? GraphStatus.Interrupted : next.Length == 0 ? GraphStatus.Completed : GraphStatus.Running;
            var after = pauseAfter is null ? null : new GraphInterrupt(pauseAfter, InterruptTiming.After);
            await SaveAsync(context, threadId, step, state, next, ran, savedStatus, after, joins, cancellationToken);
            if (logger is not null)
            {
                AgentLog.GraphStep(logger, threadId, step, string.Join(", ", ran));
            }

            yield return (state, null);
            if (after is not null)
            {
                if (logger is not null)
                {
                    AgentLog.GraphInterrupted(logger, threadId, "after " + after.Node, step);
                }

                yield return (state, new GraphRunResult<TState>(threadId, state, GraphStatus.Interrupted, step, next, after));
                yield break;
            }
        }

        if (savedStatus != GraphStatus.Completed)
        {
            // Resumed from a pause with nothing left to run: record the end.
            step++;
            await SaveAsync(context, threadId, step, state, [], [], GraphStatus.Completed, null, joins, cancellationToken);
        }

        yield return (state, new GraphRunResult<TState>(threadId, state, GraphStatus.Completed, step, [], null));
    }

    private async ValueTask<TState[]> RunNodesAsync(string[] nodes, TState state, RunContext context, CancellationToken cancellationToken)
    {
        if (nodes.Length == 1)
        {
            return [await context.InvokeAsync(_nodes[_order[nodes[0]]].Step, state, cancellationToken)];
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Task<TState>[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            tasks[i] = context.InvokeAsync(_nodes[_order[nodes[i]]].Step, state, cts.Token).AsTask();
        }

        // The first failure cancels the nodes still running; it is the one rethrown.
        var pending = new List<Task<TState>>(tasks);
        Exception? first = null;
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            pending.Remove(done);
            if (done.IsFaulted && first is null)
            {
                first = done.Exception!.InnerException;
                await cts.CancelAsync();
            }
        }

        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var results = new TState[tasks.Length];
        for (var i = 0; i < tasks.Length; i++)
        {
            results[i] = await tasks[i];
        }

        return results;
    }

    /// <summary>The nodes scheduled after <paramref name="ran"/>, in declaration order; updates join progress.</summary>
    private string[] Next(string[] ran, TState state, Dictionary<string, HashSet<string>> joins)
    {
        var next = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in ran)
        {
            if (_edges.TryGetValue(node, out var targets))
            {
                foreach (var target in targets)
                {
                    if (target != StateGraph.End)
                    {
                        next.Add(target);
                    }
                }
            }

            if (_routes.TryGetValue(node, out var routes))
            {
                foreach (var route in routes)
                {
                    foreach (var target in route(state) ?? [])
                    {
                        if (target == StateGraph.End)
                        {
                            continue;
                        }

                        if (target is null || !_order.ContainsKey(target))
                        {
                            throw new InvalidOperationException($"The route from '{node}' named '{target}', which is not a node of the graph (nodes: {string.Join(", ", Nodes)}).");
                        }

                        next.Add(target);
                    }
                }
            }
        }

        foreach (var join in _joins)
        {
            var key = JoinKey(join);
            foreach (var node in ran)
            {
                if (Array.IndexOf(join.Sources, node) >= 0)
                {
                    if (!joins.TryGetValue(key, out var seen))
                    {
                        joins[key] = seen = new HashSet<string>(StringComparer.Ordinal);
                    }

                    seen.Add(node);
                }
            }

            if (joins.TryGetValue(key, out var done) && done.Count == join.Sources.Length)
            {
                joins.Remove(key);
                if (join.Target != StateGraph.End)
                {
                    next.Add(join.Target);
                }
            }
        }

        var ordered = next.ToArray();
        Array.Sort(ordered, (a, b) => _order[a].CompareTo(_order[b]));
        return ordered;
    }

    private static string JoinKey(StateGraph<TState>.JoinDefinition join) => string.Join("+", join.Sources) + "->" + join.Target;

    private async ValueTask SaveAsync(RunContext context, string threadId, long step, TState state, string[] next, string[] ran, GraphStatus status, GraphInterrupt? interrupt, Dictionary<string, HashSet<string>> joins, CancellationToken cancellationToken)
    {
        if (_options.CheckpointStore is not { } store)
        {
            return;
        }

        var checkpoint = new GraphCheckpoint
        {
            ThreadId = threadId,
            Step = step,
            State = JsonSerializer.SerializeToElement(state, _stateType),
            NextNodes = next,
            RanNodes = ran,
            Status = status,
            Interrupt = interrupt,
            PendingJoins = joins.Count == 0 ? null : joins.ToDictionary(j => j.Key, j => (IReadOnlyList<string>)[.. j.Value.Order(StringComparer.Ordinal)], StringComparer.Ordinal),
            CreatedAt = context.TimeProvider.GetUtcNow(),
        };
        await store.SaveAsync(checkpoint, _options.Retention, cancellationToken);
    }

    private TState Deserialize(JsonElement state)
        => state.Deserialize(_stateType) ?? throw new InvalidOperationException($"A checkpoint holds a null {typeof(TState).Name} state.");

    private sealed record GraphRequest(TState Input, string ThreadId, bool Resume, Func<TState, TState>? Update);

    /// <summary>Runs <see cref="RunAsync"/> and <see cref="ResumeAsync"/> as an observed step named like the graph.</summary>
    private sealed class GraphRunner(CompiledStateGraph<TState> graph) : Runnable<GraphRequest, GraphRunResult<TState>>
    {
        public override string Name => graph.Name;

        protected internal override string StepKind => graph.StepKind;

        protected internal override async ValueTask<GraphRunResult<TState>> InvokeCoreAsync(GraphRequest input, RunContext context, CancellationToken cancellationToken)
        {
            GraphRunResult<TState>? result = null;
            await foreach (var progress in graph.ExecuteAsync(input, context, cancellationToken))
            {
                result = progress.Result ?? result;
            }

            return result!;
        }
    }
}
