using Chains.Agents.Graph;

namespace Chains.Tests.Agents.Graph;

/// <summary>The state of the crash-test graph. Nodes return deltas; the reducer adds and appends them.</summary>
public sealed record CrashState(int Counter, string[] Log, string[] Findings)
{
    public static CrashState Empty { get; } = new(0, [], []);
}

/// <summary>
/// The graph the crash test runs in a child process (tests/Chains.McpTestServer, <c>graph</c> mode), kills, and resumes
/// in-process: a plan, a fan-out to two research branches of different lengths joined before writing, and a review loop.
/// Compiled into both the test project and the test host, so both run the same definition.
/// </summary>
public static class CrashTestGraph
{
    /// <summary>The nodes in the order an uninterrupted run reaches them (parallel ones share a step).</summary>
    public static readonly string[] NodeNames = ["plan", "search_a", "search_b", "search_b2", "write", "review", "revise"];

    /// <summary>Builds the graph.</summary>
    /// <param name="options">Checkpoint store and the rest.</param>
    /// <param name="beforeNode">Awaited before each node's work (the host hangs one node here); <see langword="null"/> for none.</param>
    public static CompiledStateGraph<CrashState> Build(StateGraphOptions options, Func<string, CancellationToken, ValueTask>? beforeNode = null)
    {
        var graph = new StateGraph<CrashState>(static (state, update) => new CrashState(
            state.Counter + update.Counter,
            [.. state.Log, .. update.Log],
            [.. state.Findings, .. update.Findings]));

        CompiledNode(graph, "plan", beforeNode, s => new CrashState(1, ["plan"], []));
        CompiledNode(graph, "search_a", beforeNode, s => new CrashState(1, ["search_a"], [$"a{s.Counter}"]));
        CompiledNode(graph, "search_b", beforeNode, s => new CrashState(1, ["search_b"], [$"b{s.Counter}"]));
        CompiledNode(graph, "search_b2", beforeNode, s => new CrashState(1, ["search_b2"], [$"b2:{s.Findings.Length}"]));
        CompiledNode(graph, "write", beforeNode, s => new CrashState(1, [$"write({string.Join('+', s.Findings)})"], []));
        CompiledNode(graph, "review", beforeNode, s => new CrashState(1, [$"review@{s.Counter}"], []));
        CompiledNode(graph, "revise", beforeNode, s => new CrashState(2, ["revise"], [$"rev{s.Counter}"]));

        graph.AddEdge(StateGraph.Start, "plan")
            .AddEdge("plan", "search_a")
            .AddEdge("plan", "search_b")
            .AddEdge("search_b", "search_b2")
            .AddEdge(["search_a", "search_b2"], "write")
            .AddEdge("write", "review")
            .AddConditionalEdge("review", s => s.Counter < 12 ? "revise" : StateGraph.End)
            .AddEdge("revise", "review");
        return graph.Compile(options);
    }

    private static void CompiledNode(StateGraph<CrashState> graph, string name, Func<string, CancellationToken, ValueTask>? beforeNode, Func<CrashState, CrashState> work)
        => graph.AddNode(name, async (state, ct) =>
        {
            if (beforeNode is not null)
            {
                await beforeNode(name, ct);
            }

            return work(state);
        });
}
