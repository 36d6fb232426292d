using System.Text.Json;

namespace Chains.Agents.Graph;

/// <summary>Settings of a compiled <see cref="StateGraph{TState}"/>: where checkpoints go and how long they are kept,
/// where runs pause for a human, and the step limit.</summary>
public sealed record StateGraphOptions
{
    /// <summary>Gets the store that receives a checkpoint after every step; <see langword="null"/> (the default) keeps no
    /// checkpoints, so runs cannot pause or resume.</summary>
    public ICheckpointStore? CheckpointStore { get; init; }

    /// <summary>Gets which checkpoints of a thread the store keeps (default: all).</summary>
    public CheckpointRetention Retention { get; init; }

    /// <summary>Gets the nodes before which a run pauses (the node runs when the run resumes).</summary>
    public IReadOnlyCollection<string> InterruptBefore { get; init; } = [];

    /// <summary>Gets the nodes after which a run pauses (their update is in the state a human may inspect and edit).</summary>
    public IReadOnlyCollection<string> InterruptAfter { get; init; } = [];

    /// <summary>Gets the most steps one run or resume may make (default 25); a run that reaches it pauses with
    /// <see cref="GraphStatus.StepLimitReached"/> and can be resumed.</summary>
    public int MaxSteps { get; init; } = 25;

    /// <summary>Gets the options the state is serialized with for checkpoints; <see langword="null"/> for
    /// <see cref="JsonSerializerOptions.Web"/>.</summary>
    public JsonSerializerOptions? SerializerOptions { get; init; }

    internal void Validate()
    {
        if (MaxSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSteps), MaxSteps, "MaxSteps must be at least 1.");
        }

        ArgumentNullException.ThrowIfNull(InterruptBefore);
        ArgumentNullException.ThrowIfNull(InterruptAfter);
    }
}
