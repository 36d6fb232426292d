namespace Chains.Runnables;

/// <summary>The kind of a <see cref="RunEvent"/>.</summary>
public enum RunEventKind
{
    /// <summary>A step started (<see cref="RunStartedEvent"/>).</summary>
    Started,

    /// <summary>A streaming step produced a chunk (<see cref="RunChunkEvent"/>).</summary>
    Chunk,

    /// <summary>A step completed successfully (<see cref="RunCompletedEvent"/>).</summary>
    Completed,

    /// <summary>A step failed or was cancelled (<see cref="RunFailedEvent"/>).</summary>
    Failed,
}

/// <summary>
/// One observation of a step in a run: every step invocation produces a <see cref="RunStartedEvent"/>, any number of
/// <see cref="RunChunkEvent"/>s while streaming, and exactly one <see cref="RunCompletedEvent"/> or <see cref="RunFailedEvent"/>.
/// </summary>
/// <remarks>
/// <see cref="RunId"/> identifies one step invocation; <see cref="ParentRunId"/> is the run id of the enclosing step, or
/// <see langword="null"/> for the root of the run, so the events describe a tree.
/// </remarks>
public abstract class RunEvent
{
    private protected RunEvent(RunInfo info, DateTimeOffset timestamp)
    {
        Info = info;
        Timestamp = timestamp;
    }

    /// <summary>Gets the kind of event.</summary>
    public abstract RunEventKind Kind { get; }

    /// <summary>Gets the description of the step invocation the event belongs to.</summary>
    public RunInfo Info { get; }

    /// <summary>Gets the id of the step invocation.</summary>
    public Guid RunId => Info.RunId;

    /// <summary>Gets the id of the enclosing step invocation, or <see langword="null"/> for the root.</summary>
    public Guid? ParentRunId => Info.ParentRunId;

    /// <summary>Gets the step's name (its <see cref="Runnable{TIn,TOut}.Name"/> or the run name given in options).</summary>
    public string Name => Info.Name;

    /// <summary>Gets the tags of the step, inherited ones included.</summary>
    public IReadOnlyList<string> Tags => Info.Tags;

    /// <summary>Gets when the event happened, according to the run's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind} {Name} ({RunId:N})";
}

/// <summary>A step started.</summary>
public sealed class RunStartedEvent : RunEvent
{
    internal RunStartedEvent(RunInfo info, DateTimeOffset timestamp, object? input)
        : base(info, timestamp) => Input = input;

    /// <inheritdoc />
    public override RunEventKind Kind => RunEventKind.Started;

    /// <summary>Gets the step's input (for a streamed input: <see langword="null"/> until it is complete).</summary>
    public object? Input { get; }
}

/// <summary>A streaming step produced a chunk of its output.</summary>
public sealed class RunChunkEvent : RunEvent
{
    internal RunChunkEvent(RunInfo info, DateTimeOffset timestamp, object? chunk)
        : base(info, timestamp) => Chunk = chunk;

    /// <inheritdoc />
    public override RunEventKind Kind => RunEventKind.Chunk;

    /// <summary>Gets the chunk (e.g. a text delta, a partial object or a <c>ChatResponse</c> holding one update).</summary>
    public object? Chunk { get; }
}

/// <summary>A step completed successfully.</summary>
public sealed class RunCompletedEvent : RunEvent
{
    internal RunCompletedEvent(RunInfo info, DateTimeOffset timestamp, object? output, TimeSpan duration)
        : base(info, timestamp)
    {
        Output = output;
        Duration = duration;
    }

    /// <inheritdoc />
    public override RunEventKind Kind => RunEventKind.Completed;

    /// <summary>Gets the step's output (for a streamed step: its chunks combined).</summary>
    public object? Output { get; }

    /// <summary>Gets how long the step ran.</summary>
    public TimeSpan Duration { get; }
}

/// <summary>A step failed (or was cancelled: then <see cref="Error"/> is an <see cref="OperationCanceledException"/>).</summary>
public sealed class RunFailedEvent : RunEvent
{
    internal RunFailedEvent(RunInfo info, DateTimeOffset timestamp, Exception error, TimeSpan duration)
        : base(info, timestamp)
    {
        Error = error;
        Duration = duration;
    }

    /// <inheritdoc />
    public override RunEventKind Kind => RunEventKind.Failed;

    /// <summary>Gets the exception that ended the step.</summary>
    public Exception Error { get; }

    /// <summary>Gets how long the step ran before it failed.</summary>
    public TimeSpan Duration { get; }
}

/// <summary>Describes one step invocation: its ids, name, kind, tags and metadata.</summary>
public sealed class RunInfo
{
    internal RunInfo(Guid runId, Guid? parentRunId, string name, string stepKind, IReadOnlyList<string> tags, IReadOnlyDictionary<string, object?> metadata)
    {
        RunId = runId;
        ParentRunId = parentRunId;
        Name = name;
        StepKind = stepKind;
        Tags = tags;
        Metadata = metadata;
    }

    /// <summary>Gets the id of the step invocation.</summary>
    public Guid RunId { get; }

    /// <summary>Gets the id of the enclosing step invocation, or <see langword="null"/> for the root.</summary>
    public Guid? ParentRunId { get; }

    /// <summary>Gets the step's name.</summary>
    public string Name { get; }

    /// <summary>Gets what kind of step ran: one of <see cref="StepKinds"/> or a custom value.</summary>
    public string StepKind { get; }

    /// <summary>Gets the step's tags, inherited ones included.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Gets the step's metadata, inherited entries included.</summary>
    public IReadOnlyDictionary<string, object?> Metadata { get; }
}

/// <summary>Well-known values of <see cref="RunInfo.StepKind"/>.</summary>
public static class StepKinds
{
    /// <summary>A composite step (sequence, parallel, branch, retry, ...).</summary>
    public const string Chain = "chain";

    /// <summary>A chat model call.</summary>
    public const string ChatModel = "chat_model";

    /// <summary>An embedding generator call.</summary>
    public const string Embedding = "embedding";

    /// <summary>A prompt template.</summary>
    public const string Prompt = "prompt";

    /// <summary>An output parser.</summary>
    public const string Parser = "parser";

    /// <summary>A user delegate.</summary>
    public const string Lambda = "lambda";

    /// <summary>A retriever.</summary>
    public const string Retriever = "retriever";

    /// <summary>A tool invocation.</summary>
    public const string Tool = "tool";
}
