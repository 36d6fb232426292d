using Chains.Indexes.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace Chains.Tests.Indexes.Embeddings;

public sealed class ChainsEmbeddingGeneratorBuilderExtensionsTests
{
    private static readonly CancellationToken Token = TestContext.Current.CancellationToken;

    [Fact]
    public async Task UseContentHashCache_BeforeTokenBudgetBatching_BatchesMissesAndServesRepeatsFromCache()
    {
        var inner = new RecordingEmbeddingGenerator();
        using var generator = inner.AsBuilder()
            .UseContentHashCache()
            .UseTokenBudgetBatching(o => o.MaxBatchSize = 2)
            .Build();
        string[] texts = ["a", "b", "c", "d", "e"];

        await generator.GenerateAsync(texts, cancellationToken: Token);
        var requestsAfterFirst = inner.Requests.Count;
        var again = await generator.GenerateAsync(texts, cancellationToken: Token);

        Assert.Equal(3, requestsAfterFirst);
        Assert.Equal(3, inner.Requests.Count);
        Assert.Equal(5, again.Count);
        Assert.NotNull(generator.GetService<ContentHashCachingEmbeddingGenerator>());
        Assert.NotNull(generator.GetService<TokenBudgetBatchingEmbeddingGenerator>());
    }

    [Fact]
    public async Task UseDistributedContentHashCache_NoCacheGiven_UsesTheRegisteredOne()
    {
        var cache = new RecordingDistributedCache();
        var services = new SingleServiceProvider(typeof(IDistributedCache), cache);
        var inner = new RecordingEmbeddingGenerator();
        using var generator = inner.AsBuilder().UseDistributedContentHashCache().Build(services);

        await generator.GenerateAsync(["x"], cancellationToken: Token);
        await generator.GenerateAsync(["x"], cancellationToken: Token);

        Assert.Single(cache.Entries);
        Assert.Single(inner.Requests);
    }

    [Fact]
    public void UseDistributedContentHashCache_NoCacheAnywhere_ThrowsWhenBuilt()
    {
        var builder = new RecordingEmbeddingGenerator().AsBuilder().UseDistributedContentHashCache();

        var error = Assert.Throws<InvalidOperationException>(() => builder.Build(new SingleServiceProvider(typeof(string), "unrelated")));

        Assert.Contains("IDistributedCache", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseTokenBudgetBatching_Configure_AppliesTheBudgetAndCounter()
    {
        var inner = new RecordingEmbeddingGenerator();
        using var generator = inner.AsBuilder()
            .UseTokenBudgetBatching(o =>
            {
                o.MaxTokensPerBatch = 3;
                o.TokenCounter = _ => 1;
            })
            .Build();

        await generator.GenerateAsync(Enumerable.Range(0, 7).Select(i => new string('x', 100)), cancellationToken: Token);

        Assert.Equal([3, 3, 1], inner.Requests.Select(r => r.Count));
    }

    [Fact]
    public void UseContentHashCache_CapacityBelowOne_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new RecordingEmbeddingGenerator().AsBuilder().UseContentHashCache(0));

    private sealed class SingleServiceProvider(Type type, object service) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == type ? service : null;
    }
}
