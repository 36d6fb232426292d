using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chains.Agents.Graph;

/// <summary>Where a graph run stands.</summary>
public enum GraphStatus
{
    /// <summary>Nodes remain to run (a checkpoint taken between steps, or left by a crashed process).</summary>
    Running,

    /// <summary>No node remains: the run reached the end.</summary>
    Completed,

    /// <summary>The run paused before or after a node named in <see cref="StateGraphOptions.InterruptBefore"/> or
    /// <see cref="StateGraphOptions.InterruptAfter"/>; resume it, optionally with the human's input.</summary>
    Interrupted,

    /// <summary>The run made <see cref="StateGraphOptions.MaxSteps"/> steps without reaching the end; resume it to go on.</summary>
    StepLimitReached,
}

/// <summary>Whether a run paused before or after its node.</summary>
public enum InterruptTiming
{
    /// <summary>The node has not run yet; it runs when the run resumes.</summary>
    Before,

    /// <summary>The node ran and its update is in the state.</summary>
    After,
}

/// <summary>Where a run paused.</summary>
/// <param name="Node">The node.</param>
/// <param name="Timing">Before or after the node.</param>
public sealed record GraphInterrupt(string Node, InterruptTiming Timing);

/// <summary>
/// The saved state of a graph run after one step: the state as JSON, the nodes that run next and the run's status.
/// Stores keep checkpoints as they are; the graph serializes the state, so a store never needs the state's type.
/// </summary>
public sealed record GraphCheckpoint
{
    /// <summary>Gets the id of the thread (one run, or a conversation of runs) the checkpoint belongs to.</summary>
    public required string ThreadId { get; init; }

    /// <summary>Gets the step number: 0 for the input, then one more for each step; it keeps growing across the runs and
    /// updates of a thread.</summary>
    public required long Step { get; init; }

    /// <summary>Gets the state after the step, serialized with the graph's serializer options.</summary>
    public required JsonElement State { get; init; }

    /// <summary>Gets the nodes that run in the next step (empty when the run completed).</summary>
    public IReadOnlyList<string> NextNodes { get; init; } = [];

    /// <summary>Gets the nodes that ran in this step (empty for the input checkpoint; <c>__update__</c> for a state
    /// edited on resume).</summary>
    public IReadOnlyList<string> RanNodes { get; init; } = [];

    /// <summary>Gets the run's status after the step.</summary>
    public GraphStatus Status { get; init; }

    /// <summary>Gets where the run paused, when <see cref="Status"/> is <see cref="GraphStatus.Interrupted"/>.</summary>
    public GraphInterrupt? Interrupt { get; init; }

    /// <summary>Gets, for each node behind a joining edge, the source nodes that already finished (the node runs once all
    /// have); <see langword="null"/> when none is waiting.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? PendingJoins { get; init; }

    /// <summary>Gets when the checkpoint was taken.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>The JSON of checkpoints, for stores that keep them as text (files, JSON columns).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, WriteIndented = false)]
[JsonSerializable(typeof(GraphCheckpoint))]
internal sealed partial class GraphCheckpointJsonContext : JsonSerializerContext;
