using Chains.Runnables;

namespace Chains.Agents.Graph;

/// <summary>The names of a graph's virtual start and end nodes.</summary>
public static class StateGraph
{
    /// <summary>The virtual node a run starts from: edges from it name the first node(s).</summary>
    public const string Start = "__start__";

    /// <summary>The virtual node that ends a branch: a route to it runs nothing.</summary>
    public const string End = "__end__";
}

/// <summary>
/// Builds a graph of steps over a typed state: nodes return an update, a reducer folds updates into the state, edges
/// (fixed, conditional, fanning out, or joining) pick the next nodes. <see cref="Compile"/> checks the graph and returns
/// the runnable <see cref="CompiledStateGraph{TState}"/>.
/// </summary>
/// <typeparam name="TState">The state; it must round-trip through JSON when checkpoints are kept (records work well).</typeparam>
/// <remarks>
/// <para>A run proceeds in steps: all nodes scheduled for a step run concurrently on the same state, and their updates
/// are folded into it in the order the nodes were added. With the default reducer an update replaces the state, which
/// suits graphs that run one node at a time; graphs with parallel branches need a reducer that merges (for example one
/// that appends lists), and <see cref="Compile"/> demands one when a node fans out.</para>
/// <para>Not thread-safe; the compiled graph is.</para>
/// </remarks>
public sealed class StateGraph<TState>
{
    private readonly List<NodeDefinition> _nodes = [];
    private readonly Dictionary<string, List<string>> _edges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Func<TState, IEnumerable<string>>>> _routes = new(StringComparer.Ordinal);
    private readonly List<JoinDefinition> _joins = [];
    private readonly Func<TState, TState, TState>? _reducer;

    /// <summary>Initializes a new graph.</summary>
    /// <param name="reducer">Folds a node's update into the state: <c>(state, update) =&gt; merged</c>. It must be pure and
    /// thread-safe. <see langword="null"/>: the update replaces the state.</param>
    public StateGraph(Func<TState, TState, TState>? reducer = null) => _reducer = reducer;

    /// <summary>Adds a node that runs a step.</summary>
    /// <param name="name">The node's name (unique; not <see cref="StateGraph.Start"/> or <see cref="StateGraph.End"/>).</param>
    /// <param name="step">The step: the state in, the node's update out. It runs as a child step named <paramref name="name"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name is empty, reserved or already used.</exception>
    public StateGraph<TState> AddNode(string name, Runnable<TState, TState> step)
    {
        ValidateNewNode(name);
        ArgumentNullException.ThrowIfNull(step);
        _nodes.Add(new NodeDefinition(name, step.WithName(name)));
        return this;
    }

    /// <summary>Adds a node that runs an asynchronous function.</summary>
    /// <param name="name">The node's name (unique; not <see cref="StateGraph.Start"/> or <see cref="StateGraph.End"/>).</param>
    /// <param name="node">The function: the state in, the node's update out.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name is empty, reserved or already used.</exception>
    public StateGraph<TState> AddNode(string name, Func<TState, CancellationToken, ValueTask<TState>> node)
    {
        ValidateNewNode(name);
        ArgumentNullException.ThrowIfNull(node);
        _nodes.Add(new NodeDefinition(name, Runnable.Lambda<TState, TState>((state, _, ct) => node(state, ct), name)));
        return this;
    }

    /// <summary>Adds a node that runs a function.</summary>
    /// <param name="name">The node's name (unique; not <see cref="StateGraph.Start"/> or <see cref="StateGraph.End"/>).</param>
    /// <param name="node">The function: the state in, the node's update out.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name is empty, reserved or already used.</exception>
    public StateGraph<TState> AddNode(string name, Func<TState, TState> node)
    {
        ValidateNewNode(name);
        ArgumentNullException.ThrowIfNull(node);
        _nodes.Add(new NodeDefinition(name, Runnable.Lambda(node, name)));
        return this;
    }

    /// <summary>Adds a fixed edge: after <paramref name="from"/> runs, <paramref name="to"/> runs in the next step. Several
    /// edges from one node fan out: their targets run concurrently.</summary>
    /// <param name="from">The source node, or <see cref="StateGraph.Start"/>.</param>
    /// <param name="to">The target node, or <see cref="StateGraph.End"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">A name is empty, or <paramref name="from"/> is <see cref="StateGraph.End"/>.</exception>
    public StateGraph<TState> AddEdge(string from, string to)
    {
        ValidateSource(from);
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        if (!_edges.TryGetValue(from, out var targets))
        {
            _edges[from] = targets = [];
        }

        if (!targets.Contains(to))
        {
            targets.Add(to);
        }

        return this;
    }

    /// <summary>Adds a joining edge: <paramref name="to"/> runs once every node of <paramref name="from"/> has finished
    /// (in whichever steps), which is how parallel branches of different lengths meet.</summary>
    /// <param name="from">The nodes to wait for (at least two).</param>
    /// <param name="to">The target node, or <see cref="StateGraph.End"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="from"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Fewer than two sources, or a name is empty or reserved.</exception>
    public StateGraph<TState> AddEdge(IEnumerable<string> from, string to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        var sources = from.Distinct(StringComparer.Ordinal).ToArray();
        if (sources.Length < 2)
        {
            throw new ArgumentException("A joining edge needs at least two source nodes; use AddEdge(string, string) for one.", nameof(from));
        }

        foreach (var source in sources)
        {
            ValidateSource(source);
            if (source == StateGraph.Start)
            {
                throw new ArgumentException("A joining edge cannot wait for the start node.", nameof(from));
            }
        }

        _joins.Add(new JoinDefinition(sources, to));
        return this;
    }

    /// <summary>Adds a conditional edge: after <paramref name="from"/> runs, <paramref name="route"/> reads the state
    /// and names the next node (or <see cref="StateGraph.End"/>).</summary>
    /// <param name="from">The source node, or <see cref="StateGraph.Start"/>.</param>
    /// <param name="route">Picks the next node from the state after the step.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="route"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="from"/> is empty or <see cref="StateGraph.End"/>.</exception>
    public StateGraph<TState> AddConditionalEdge(string from, Func<TState, string> route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return AddConditionalEdges(from, state => [route(state)]);
    }

    /// <summary>Adds a conditional edge that may fan out: <paramref name="route"/> names any number of next nodes, which
    /// run concurrently (none, or only <see cref="StateGraph.End"/>, ends the branch).</summary>
    /// <param name="from">The source node, or <see cref="StateGraph.Start"/>.</param>
    /// <param name="route">Picks the next nodes from the state after the step.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="route"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="from"/> is empty or <see cref="StateGraph.End"/>.</exception>
    public StateGraph<TState> AddConditionalEdges(string from, Func<TState, IEnumerable<string>> route)
    {
        ValidateSource(from);
        ArgumentNullException.ThrowIfNull(route);
        if (!_routes.TryGetValue(from, out var routes))
        {
            _routes[from] = routes = [];
        }

        routes.Add(route);
        return this;
    }

    /// <summary>Checks the graph and makes it runnable.</summary>
    /// <param name="options">Checkpoints, interrupts, step limit and serialization; <see langword="null"/> for the defaults.</param>
    /// <returns>The compiled graph (immutable and thread-safe; later changes to this builder do not affect it).</returns>
    /// <exception cref="InvalidOperationException">The graph is invalid: no edge from the start, an edge naming an unknown
    /// node, a node with no way out, an interrupt on an unknown node, interrupts without a checkpoint store, or a fan-out
    /// without a reducer. The message names the problem.</exception>
    public CompiledStateGraph<TState> Compile(StateGraphOptions? options = null)
    {
        options ??= new StateGraphOptions();
        options.Validate();
        var names = new HashSet<string>(_nodes.Select(n => n.Name), StringComparer.Ordinal);
        if (!_edges.ContainsKey(StateGraph.Start) && !_routes.ContainsKey(StateGraph.Start))
        {
            throw new InvalidOperationException($"The graph has no entry: add an edge from StateGraph.Start to the first node (nodes: {string.Join(", ", names)}).");
        }

        void CheckKnown(string node, string role)
        {
            if (node != StateGraph.Start && node != StateGraph.End && !names.Contains(node))
            {
                throw new InvalidOperationException($"An edge {role} '{node}', which is not a node of the graph (nodes: {string.Join(", ", names)}).");
            }
        }

        foreach (var (from, targets) in _edges)
        {
            CheckKnown(from, "starts at");
            foreach (var to in targets)
            {
                CheckKnown(to, "leads to");
                if (to == StateGraph.Start)
                {
                    throw new InvalidOperationException($"The edge from '{from}' leads back to StateGraph.Start; name the first node instead.");
                }
            }
        }

        foreach (var from in _routes.Keys)
        {
            CheckKnown(from, "starts at");
        }

        foreach (var join in _joins)
        {
            foreach (var source in join.Sources)
            {
                CheckKnown(source, "waits for");
            }

            CheckKnown(join.Target, "leads to");
        }

        foreach (var node in _nodes)
        {
            if (!_edges.ContainsKey(node.Name) && !_routes.ContainsKey(node.Name) && !_joins.Any(j => j.Sources.Contains(node.Name, StringComparer.Ordinal)))
            {
                throw new InvalidOperationException($"Node '{node.Name}' has no outgoing edge; add one (to StateGraph.End to finish there).");
            }
        }

        foreach (var node in options.InterruptBefore.Concat(options.InterruptAfter))
        {
            if (!names.Contains(node))
            {
                throw new InvalidOperationException($"An interrupt names '{node}', which is not a node of the graph.");
            }
        }

        if (options.CheckpointStore is null && (options.InterruptBefore.Count > 0 || options.InterruptAfter.Count > 0))
        {
            throw new InvalidOperationException("Interrupts need a checkpoint store to resume from: set StateGraphOptions.CheckpointStore.");
        }

        if (_reducer is null)
        {
            foreach (var (from, targets) in _edges)
            {
                if (targets.Count(t => t != StateGraph.End) + (_routes.ContainsKey(from) ? 1 : 0) > 1)
                {
                    throw new InvalidOperationException($"'{from}' fans out to {string.Join(", ", targets)}, so their updates must be merged: pass a reducer to the StateGraph constructor.");
                }
            }
        }

        return new CompiledStateGraph<TState>(
            [.. _nodes],
            _edges.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal),
            _routes.ToDictionary(r => r.Key, r => r.Value.ToArray(), StringComparer.Ordinal),
            [.. _joins],
            _reducer,
            options);
    }

    private void ValidateNewNode(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name is StateGraph.Start or StateGraph.End || name.StartsWith("__", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is reserved: node names may not start with '__'.", nameof(name));
        }

        if (_nodes.Any(n => n.Name == name))
        {
            throw new ArgumentException($"The graph already has a node named '{name}'.", nameof(name));
        }
    }

    private static void ValidateSource(string from)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(from);
        if (from == StateGraph.End)
        {
            throw new ArgumentException("No edge can start at StateGraph.End.", nameof(from));
        }
    }

    internal sealed record NodeDefinition(string Name, Runnable<TState, TState> Step);

    internal sealed record JoinDefinition(string[] Sources, string Target);
}
