using Chains.Indexes.Embeddings;
using Microsoft.Extensions.Caching.Distributed;

namespace Microsoft.Extensions.AI;

/// <summary>Adds Chains' embedding middleware to an <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/>.
/// Stages run in the order added: <c>.UseContentHashCache().UseTokenBudgetBatching()</c> batches only the misses.</summary>
public static class ChainsEmbeddingGeneratorBuilderExtensions
{
    /// <summary>Splits large calls into requests within a token budget; see
    /// <see cref="TokenBudgetBatchingEmbeddingGenerator"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the budget, batch size, parallelism and token counter; <see langword="null"/> for
    /// the defaults (8,192 estimated tokens, 128 texts, one request at a time).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A configured option is out of range (thrown when the pipeline is
    /// built).</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseTokenBudgetBatching(this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, Action<TokenBudgetBatchingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner =>
        {
            var options = new TokenBudgetBatchingOptions();
            configure?.Invoke(options);
            return new TokenBudgetBatchingEmbeddingGenerator(inner, options);
        });
    }

    /// <summary>Caches embeddings in memory by content hash; see <see cref="ContentHashCachingEmbeddingGenerator"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="capacity">The most embeddings kept, least recently used evicted first; default 10,000.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseContentHashCache(this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, int capacity = 10_000)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return builder.Use(inner => new ContentHashCachingEmbeddingGenerator(inner, capacity));
    }

    /// <summary>Caches embeddings by content hash in an <see cref="IDistributedCache"/>; see
    /// <see cref="ContentHashCachingEmbeddingGenerator"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="cache">The store; <see langword="null"/> to take the <see cref="IDistributedCache"/> registered in
    /// the services the pipeline is built with.</param>
    /// <param name="entryOptions">Expiration of new entries; <see langword="null"/> for the cache's default.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="cache"/> is <see langword="null"/> and no
    /// <see cref="IDistributedCache"/> is registered (thrown when the pipeline is built).</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseDistributedContentHashCache(this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, IDistributedCache? cache = null, DistributedCacheEntryOptions? entryOptions = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var store = cache
                ?? services.GetService(typeof(IDistributedCache)) as IDistributedCache
                ?? throw new InvalidOperationException("No IDistributedCache was given and none is registered in the services the embedding pipeline is built with.");
            return new ContentHashCachingEmbeddingGenerator(inner, store, entryOptions);
        });
    }
}
