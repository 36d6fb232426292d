namespace Chains.Agents.Graph;

/// <summary>Where a graph run ended: completed, or paused (interrupted or at the step limit) and resumable.</summary>
/// <typeparam name="TState">The state type.</typeparam>
public sealed record GraphRunResult<TState>
{
    internal GraphRunResult(string threadId, TState state, GraphStatus status, long step, IReadOnlyList<string> nextNodes, GraphInterrupt? interrupt)
    {
        ThreadId = threadId;
        State = state;
        Status = status;
        Step = step;
        NextNodes = nextNodes;
        Interrupt = interrupt;
    }

    /// <summary>Gets the thread: pass it to <see cref="CompiledStateGraph{TState}.ResumeAsync"/>.</summary>
    public string ThreadId { get; }

    /// <summary>Gets the state.</summary>
    public TState State { get; }

    /// <summary>Gets the status (never <see cref="GraphStatus.Running"/>).</summary>
    public GraphStatus Status { get; }

    /// <summary>Gets a value indicating whether the run reached the end.</summary>
    public bool IsCompleted => Status == GraphStatus.Completed;

    /// <summary>Gets the step number of the last checkpoint.</summary>
    public long Step { get; }

    /// <summary>Gets the nodes that run when the run resumes (empty when completed).</summary>
    public IReadOnlyList<string> NextNodes { get; }

    /// <summary>Gets where the run paused, when interrupted.</summary>
    public GraphInterrupt? Interrupt { get; }
}

/// <summary>A graph invoked as a plain step (<c>InvokeAsync</c>) paused instead of completing; resume it with
/// <see cref="CompiledStateGraph{TState}.ResumeAsync"/> and <see cref="ThreadId"/>.</summary>
public sealed class GraphPausedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="GraphPausedException"/> class.</summary>
    public GraphPausedException()
        : this("The graph run paused.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GraphPausedException"/> class.</summary>
    /// <param name="message">The message.</param>
    public GraphPausedException(string message)
        : base(message)
    {
        ThreadId = string.Empty;
        NextNodes = [];
    }

    /// <summary>Initializes a new instance of the <see cref="GraphPausedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public GraphPausedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ThreadId = string.Empty;
        NextNodes = [];
    }

    internal GraphPausedException(string threadId, GraphStatus status, GraphInterrupt? interrupt, IReadOnlyList<string> nextNodes, object? state)
        : base(status == GraphStatus.StepLimitReached
            ? $"The graph run of thread '{threadId}' reached its step limit; resume it to continue with {string.Join(", ", nextNodes)}."
            : $"The graph run of thread '{threadId}' paused {interrupt?.Timing.ToString().ToLowerInvariant()} '{interrupt?.Node}'; resume it to continue.")
    {
        ThreadId = threadId;
        Status = status;
        Interrupt = interrupt;
        NextNodes = nextNodes;
        State = state;
    }

    /// <summary>Gets the thread to resume.</summary>
    public string ThreadId { get; }

    /// <summary>Gets why the run paused.</summary>
    public GraphStatus Status { get; }

    /// <summary>Gets where the run paused, when interrupted.</summary>
    public GraphInterrupt? Interrupt { get; }

    /// <summary>Gets the nodes that run on resume.</summary>
    public IReadOnlyList<string> NextNodes { get; }

    /// <summary>Gets the state when the run paused.</summary>
    public object? State { get; }
}
