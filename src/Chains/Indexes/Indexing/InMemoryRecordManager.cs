using System.Runtime.CompilerServices;

namespace Chains.Indexes.Indexing;

/// <summary>A thread-safe <see cref="IRecordManager"/> held in memory: for tests and for indexes that live as long as
/// the process (e.g. over the in-process vector store).</summary>
public sealed class InMemoryRecordManager : IRecordManager
{
    private readonly Dictionary<string, IndexRecord> _records = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Gets the number of records.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _records.Count;
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="sourceIds"/> is <see langword="null"/>.</exception>
    public Task<IReadOnlyList<IndexRecord>> GetAsync(IReadOnlyList<string> sourceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourceIds);
        cancellationToken.ThrowIfCancellationRequested();
        var found = new List<IndexRecord>(sourceIds.Count);
        lock (_lock)
        {
            foreach (var id in sourceIds)
            {
                if (id is not null && _records.TryGetValue(id, out var record))
                {
                    found.Add(record);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<IndexRecord>>(found);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<IndexRecord> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IndexRecord[] snapshot;
        lock (_lock)
        {
            snapshot = [.. _records.Values];
        }

        foreach (var record in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }

        await Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A record is <see langword="null"/> (nothing is written).</exception>
    public Task UpsertAsync(IReadOnlyList<IndexRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        if (records.Any(r => r is null))
        {
            throw new ArgumentException("The records list holds a null entry.", nameof(records));
        }

        lock (_lock)
        {
            foreach (var record in records)
            {
                _records[record.SourceId] = record;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="sourceIds"/> is <see langword="null"/>.</exception>
    public Task DeleteAsync(IReadOnlyList<string> sourceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourceIds);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            foreach (var id in sourceIds)
            {
                if (id is not null)
                {
                    _records.Remove(id);
                }
            }
        }

        return Task.CompletedTask;
    }
}
