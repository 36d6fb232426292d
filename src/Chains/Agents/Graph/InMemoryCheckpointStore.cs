using System.Runtime.CompilerServices;

namespace Chains.Agents.Graph;

/// <summary>Keeps checkpoints in this process's memory: for tests, and for interrupts within one process's lifetime.
/// Thread-safe.</summary>
public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly Dictionary<string, List<GraphCheckpoint>> _threads = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="checkpoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The thread already has a checkpoint of this or a later step.</exception>
    public ValueTask SaveAsync(GraphCheckpoint checkpoint, CheckpointRetention retention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        cancellationToken.ThrowIfCancellationRequested();

        // Detach the state from the caller's document, as a serializing store would.
        var stored = checkpoint with { State = checkpoint.State.Clone() };
        lock (_lock)
        {
            if (!_threads.TryGetValue(checkpoint.ThreadId, out var list))
            {
                _threads[checkpoint.ThreadId] = list = [];
            }

            if (list.Count > 0 && list[^1].Step >= checkpoint.Step)
            {
                throw new ArgumentException($"Thread '{checkpoint.ThreadId}' already has step {list[^1].Step}; checkpoint steps must grow.", nameof(checkpoint));
            }

            list.Add(stored);
            if (retention.KeepLastCount is { } keep && list.Count > keep)
            {
                list.RemoveRange(0, list.Count - keep);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<GraphCheckpoint?> GetAsync(string threadId, long? step = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_threads.TryGetValue(threadId, out var list) || list.Count == 0)
            {
                return ValueTask.FromResult<GraphCheckpoint?>(null);
            }

            return ValueTask.FromResult(step is { } s ? list.Find(c => c.Step == s) : list[^1]);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<GraphCheckpoint> ListAsync(string threadId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        GraphCheckpoint[] snapshot;
        lock (_lock)
        {
            snapshot = _threads.TryGetValue(threadId, out var list) ? [.. list] : [];
        }

        for (var i = snapshot.Length - 1; i >= 0; i--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return snapshot[i];
        }

        await Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<int> DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_threads.Remove(threadId, out var list) ? list.Count : 0);
        }
    }
}
