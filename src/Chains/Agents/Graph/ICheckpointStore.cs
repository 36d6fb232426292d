namespace Chains.Agents.Graph;

/// <summary>
/// Keeps the checkpoints of graph runs, so a run can pause for a human and resume later, or resume after its process
/// died. A graph saves one checkpoint after every step.
/// </summary>
/// <remarks>
/// <para>Implementations: <see cref="InMemoryCheckpointStore"/> (one process), <see cref="FileCheckpointStore"/> (a
/// directory; survives crashes), PostgreSQL in Chains.Pgvector. A save must be atomic: after a crash, the latest
/// checkpoint of a thread is either the new one, complete, or the previous one.</para>
/// <para>Implementations must be thread-safe. One thread is written by one run at a time.</para>
/// </remarks>
public interface ICheckpointStore
{
    /// <summary>Saves a checkpoint, then removes the thread's checkpoints that <paramref name="retention"/> no longer keeps.</summary>
    /// <param name="checkpoint">The checkpoint; its step is higher than any saved for the thread.</param>
    /// <param name="retention">Which of the thread's checkpoints to keep.</param>
    /// <param name="cancellationToken">A token that cancels the save.</param>
    /// <returns>A task that completes when the checkpoint is durable.</returns>
    ValueTask SaveAsync(GraphCheckpoint checkpoint, CheckpointRetention retention, CancellationToken cancellationToken = default);

    /// <summary>Gets a thread's latest checkpoint, or the one of a given step.</summary>
    /// <param name="threadId">The thread.</param>
    /// <param name="step">The step; <see langword="null"/> for the latest.</param>
    /// <param name="cancellationToken">A token that cancels the read.</param>
    /// <returns>The checkpoint, or <see langword="null"/> when there is none.</returns>
    ValueTask<GraphCheckpoint?> GetAsync(string threadId, long? step = null, CancellationToken cancellationToken = default);

    /// <summary>Lists a thread's checkpoints, newest first.</summary>
    /// <param name="threadId">The thread.</param>
    /// <param name="cancellationToken">A token that cancels the listing.</param>
    /// <returns>The checkpoints.</returns>
    IAsyncEnumerable<GraphCheckpoint> ListAsync(string threadId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every checkpoint of a thread.</summary>
    /// <param name="threadId">The thread.</param>
    /// <param name="cancellationToken">A token that cancels the deletion.</param>
    /// <returns>The number of checkpoints deleted.</returns>
    ValueTask<int> DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default);
}

/// <summary>Which of a thread's checkpoints a store keeps: all, or the newest few.</summary>
public readonly record struct CheckpointRetention
{
    private CheckpointRetention(int? keepLast) => KeepLastCount = keepLast;

    /// <summary>Gets a policy that keeps every checkpoint (the default value).</summary>
    public static CheckpointRetention All => default;

    /// <summary>Gets how many of a thread's newest checkpoints are kept, or <see langword="null"/> to keep all.</summary>
    public int? KeepLastCount { get; }

    /// <summary>Keeps the <paramref name="count"/> newest checkpoints of each thread. One is enough to resume; more allow
    /// going back to an earlier step.</summary>
    /// <param name="count">How many to keep.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    public static CheckpointRetention KeepLast(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new CheckpointRetention(count);
    }

    /// <summary>Gets whether a checkpoint is kept, given how many newer ones the thread has.</summary>
    /// <param name="newer">The number of newer checkpoints.</param>
    /// <returns><see langword="true"/> to keep it.</returns>
    public bool Keeps(int newer) => KeepLastCount is not { } n || newer < n;

    /// <inheritdoc />
    public override string ToString() => KeepLastCount is { } n ? $"KeepLast({n})" : "All";
}
