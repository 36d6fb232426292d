using System.Security.Cryptography;
using System.Text;
using Chains.Indexes.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace Chains.Tests.Indexes.Embeddings;

public sealed class ContentHashCachingEmbeddingGeneratorTests
{
    private static readonly CancellationToken Token = TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateAsync_SameTextsTwiceInMemory_SecondCallMakesNoInnerCalls()
    {
        var inner = new RecordingEmbeddingGenerator();
        using var generator = new ContentHashCachingEmbeddingGenerator(inner);
        string[] texts = ["alpha", "beta", "gamma"];

        var first = await generator.GenerateAsync(texts, cancellationToken: Token);
        var second = await generator.GenerateAsync(texts, cancellationToken: Token);

        Assert.Single(inner.Requests);
        Assert.Equal(first.Select(e => e.Vector.ToArray()), second.Select(e => e.Vector.ToArray()));
        Assert.All(second, e => Assert.Equal("recording-model", e.ModelId));
    }

    [Fact]
    public async Task GenerateAsync_HitsAndMisses_SendsOnlyTheMissesInOneRequestAndKeepsOrder()
    {
        var inner = new RecordingEmbeddingGenerator();
        using var generator = new ContentHashCachingEmbeddingGenerator(inner);
        await generator.GenerateAsync(["b", "d"], cancellationToken: Token);

        var embeddings = await generator.GenerateAsync(["a", "b", "c", "d", "e"], cancellationToken: Token);

        Assert.Equal(["a", "c", "e"], inner.Requests[1]);
        Assert.Equal(2, inner.Requests.Count);
        Assert.Equal(["a", "b", "c", "d", "e"], embeddings.Select(e => ((char)e.Vector.Span[1]).ToString()));
    }

    [Fact]
    public async Task GenerateAsync_DistributedCache_StoresVectorAsLittleEndianFloatsUnderSha256Key()
    {
        var inner = new RecordingEmbeddingGenerator();
        var cache = new RecordingDistributedCache();
        using var generator = new ContentHashCachingEmbeddingGenerator(inner, cache);

        await generator.GenerateAsync(["héllo"], cancellationToken: Token);

        var expectedKey = "chains:embedding:v1:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("recording-model\0\0héllo")));
        var (key, bytes) = Assert.Single(cache.Entries);
        Assert.Equal(expectedKey, key);
        Assert.Equal(3 * sizeof(float), bytes.Length);
        Assert.Equal(5f, BitConverter.ToSingle(bytes, 0));
        Assert.Equal('h', BitConverter.ToSingle(bytes, 4));
        Assert.Equal('o', BitConverter.ToSingle(bytes, 8));
    }

    [Fact]
    public async Task GenerateAsync_DistributedCacheSharedByTwoGenerators_SecondMakesNoInnerCalls()
    {
        var cache = new RecordingDistributedCache();
        var firstInner = new RecordingEmbeddingGenerator();
        var secondInner = new RecordingEmbeddingGenerator();
        using var first = new ContentHashCachingEmbeddingGenerator(firstInner, cache);
        using var second = new ContentHashCachingEmbeddingGenerator(secondInner, cache);

        var written = await first.GenerateAsync(["one", "two"], cancellationToken: Token);
        var read = await second.GenerateAsync(["two", "one"], cancellationToken: Token);

        Assert.Empty(secondInner.Requests);
        Assert.Equal(written[1].Vector.ToArray(), read[0].Vector.ToArray());
        Assert.Equal(written[0].Vector.ToArray(), read[1].Vector.ToArray());
    }

    [Fact]
    public async Task GenerateAsync_DistributedEntryOptions_PassedToTheCache()
    {
        var cache = new RecordingDistributedCache();
        var entryOptions = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromHours(1) };
        using var generator = new ContentHashCachingEmbeddingGenerator(new RecordingEmbeddingGenerator(), cache, entryOptions);

        await generator.GenerateAsync(["x", "y"], cancellationToken: Token);

        Assert.Equal(2, cache.SetOptions.Count);
        Assert.All(cache.SetOptions, o => Assert.Same(entryOptions, o));
    }

    [Fact]
    public async Task GenerateAsync_CorruptDistributedEntry_IsAMissAndIsOverwritten()
    {
        var cache = new RecordingDistributedCache();
        var inner = new RecordingEmbeddingGenerator();
        using var generator = new ContentHashCachingEmbeddingGenerator(inner, cache);
        await generator.GenerateAsync(["text"], cancellationToken: Token);
        var key = Assert.Single(cache.Entries).Key;
        cache.Entries[key] = [1, 2, 3];

        var embeddings = await generator.GenerateAsync(["text"], cancellationToken: Token);

        Assert.Equal(2, inner.Requests.Count);
        Assert.Equal(4f, embeddings[0].Vector.Span[0]);
        Assert.Equal(12, cache.Entries[key].Length);
    }

    [Fact]
    public async Task GenerateAsync_OtherModelIdOrDimensions_DoesNotShareEntries()
    {
        var inner = new RecordingEmbeddingGenerator();
        using var generator = new ContentHashCachingEmbeddingGenerator(inner);

        await generator.GenerateAsync(["same"], cancellationToken: Token);
        await generator.GenerateAsync(["same"], new EmbeddingGenerationOptions { ModelId = "other-model" }, Token);
        await generator.GenerateAsync(["same"], new EmbeddingGenerationOptions { Dimensions = 3 }, Token);
        await generator.GenerateAsync(["same"], new EmbeddingGenerationOptions { ModelId = "recording-model" }, Token);

        Assert.Equal(3, inner.Requests.Count);
    }

    [Fact]
    public async Task GenerateAsync_CapacityExceeded_EvictsTheLeastRecentlyUsed()
    {
        var inner = new RecordingEmbeddingGenerator();
        using var generator = new ContentHashCachingEmbeddingGenerator(inner, capacity: 2);
        await generator.GenerateAsync(["a"], cancellationToken: Token);
        await generator.GenerateAsync(["b"], cancellationToken: Token);
        await generator.GenerateAsync(["a"], cancellationToken: Token); // hit: "a" becomes the most recent
        await generator.GenerateAsync(["c"], cancellationToken: Token); // evicts "b"

        await generator.GenerateAsync(["a", "b"], cancellationToken: Token);

        Assert.Equal([["a"], ["b"], ["c"], ["b"]], inner.Requests);
    }

    [Fact]
    public async Task GenerateAsync_InnerVectorMutatedAfterwards_CachedCopyUnchanged()
    {
        var vector = new float[] { 1, 2, 3 };
        var inner = new RecordingEmbeddingGenerator { Callback = (_, _, _) => Task.FromResult(new GeneratedEmbeddings<Embedding<float>>([new Embedding<float>(vector)])) };
        using var generator = new ContentHashCachingEmbeddingGenerator(inner);
        await generator.GenerateAsync(["t"], cancellationToken: Token);

        vector[0] = 99;
        var cached = await generator.GenerateAsync(["t"], cancellationToken: Token);

        Assert.Equal([1f, 2f, 3f], cached[0].Vector.ToArray());
    }

    [Fact]
    public void Constructor_CapacityBelowOne_ThrowsNamingTheValue()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ContentHashCachingEmbeddingGenerator(new RecordingEmbeddingGenerator(), capacity: 0));

        Assert.Equal("capacity", error.ParamName);
    }

    [Fact]
    public void Constructor_NullCache_ThrowsArgumentNull()
        => Assert.Throws<ArgumentNullException>(() => new ContentHashCachingEmbeddingGenerator(new RecordingEmbeddingGenerator(), (IDistributedCache)null!));

    [Fact]
    public void FromBytes_ToBytes_RoundTripsExactly()
    {
        float[] vector = [0f, -1.5f, float.Epsilon, 3.4028235E+38f, float.NaN];

        var bytes = ContentHashCachingEmbeddingGenerator.ToBytes(vector);

        Assert.Equal(vector.Length * 4, bytes.Length);
        Assert.Equal(vector, ContentHashCachingEmbeddingGenerator.FromBytes(bytes));
    }
}
