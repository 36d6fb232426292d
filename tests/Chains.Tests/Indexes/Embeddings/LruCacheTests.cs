using Chains.Indexes.Embeddings;

namespace Chains.Tests.Indexes.Embeddings;

public sealed class LruCacheTests
{
    [Fact]
    public void Set_OverCapacity_EvictsTheLeastRecentlyUsed()
    {
        var cache = new LruCache<string, int>(2);
        cache.Set("a", 1);
        cache.Set("b", 2);
        Assert.True(cache.TryGet("a", out _));

        cache.Set("c", 3);

        Assert.Equal(2, cache.Count);
        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.TryGet("a", out var a));
        Assert.Equal(1, a);
        Assert.True(cache.TryGet("c", out var c));
        Assert.Equal(3, c);
    }

    [Fact]
    public void Set_ExistingKey_ReplacesTheValueAndRefreshesIt()
    {
        var cache = new LruCache<string, int>(2);
        cache.Set("a", 1);
        cache.Set("b", 2);

        cache.Set("a", 10);
        cache.Set("c", 3);

        Assert.True(cache.TryGet("a", out var a));
        Assert.Equal(10, a);
        Assert.False(cache.TryGet("b", out _));
    }

    [Fact]
    public void Set_ConcurrentWriters_NeverExceedsCapacity()
    {
        var cache = new LruCache<int, int>(100);

        Parallel.For(0, 10_000, i =>
        {
            cache.Set(i % 500, i);
            cache.TryGet((i * 7) % 500, out _);
        });

        Assert.Equal(100, cache.Count);
    }

    [Fact]
    public void Constructor_ZeroCapacity_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new LruCache<string, int>(0));
}
