using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;

namespace Chains.Tests.Indexes.Embeddings;

/// <summary>A hand-written <see cref="IDistributedCache"/> over a dictionary that records the entry options it is given.</summary>
public sealed class RecordingDistributedCache : IDistributedCache
{
    public ConcurrentDictionary<string, byte[]> Entries { get; } = new(StringComparer.Ordinal);

    public List<DistributedCacheEntryOptions> SetOptions { get; } = [];

    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public byte[]? Get(string key)
    {
        Interlocked.Increment(ref _reads);
        return Entries.TryGetValue(key, out var value) ? value : null;
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        return Task.FromResult(Get(key));
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        lock (SetOptions)
        {
            SetOptions.Add(options);
        }

        Entries[key] = value;
    }

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        Set(key, value, options);
        return Task.CompletedTask;
    }

    public void Refresh(string key)
    {
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => Entries.TryRemove(key, out _);

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        Remove(key);
        return Task.CompletedTask;
    }
}
