using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace Chains.Indexes.Embeddings;

/// <summary>
/// Caches embeddings by content: the key is the SHA-256 of the model id and the text, so the same text embedded by
/// the same model is computed once, whichever document or call it comes from. Only the texts not in the cache are
/// sent to the inner generator, in one request.
/// </summary>
/// <remarks>
/// <para>The store is either an in-memory LRU bounded by entry count, or any <see cref="IDistributedCache"/> (Redis,
/// SQL Server, a file cache...) shared by processes; there a vector is stored as its float32 values in little-endian
/// order (4 bytes per dimension). Keys look like <c>chains:embedding:v1:</c> followed by 64 hex digits.</para>
/// <para>The model id is <see cref="EmbeddingGenerationOptions.ModelId"/> when set, else the inner generator's
/// <see cref="EmbeddingGeneratorMetadata.DefaultModelId"/>; a requested <see cref="EmbeddingGenerationOptions.Dimensions"/>
/// is part of the key too. Embeddings read from the cache carry the inner generator's default model id. Give
/// generators without a model id separate caches.</para>
/// <para>Add it with <see cref="ChainsEmbeddingGeneratorBuilderExtensions.UseContentHashCache"/> or
/// <see cref="ChainsEmbeddingGeneratorBuilderExtensions.UseDistributedContentHashCache"/>.</para>
/// </remarks>
public sealed class ContentHashCachingEmbeddingGenerator : CachingEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The prefix of every cache key; the version changes if the key or value format does.</summary>
    public const string KeyPrefix = "chains:embedding:v1:";

    private readonly LruCache<string, float[]>? _memory;
    private readonly IDistributedCache? _distributed;
    private readonly DistributedCacheEntryOptions _entryOptions;
    private readonly string? _defaultModelId;

    /// <summary>Caches in memory, keeping the <paramref name="capacity"/> most recently used embeddings.</summary>
    /// <param name="innerGenerator">The generator that computes the misses.</param>
    /// <param name="capacity">The most embeddings kept (a 384-dimension embedding takes about 1.6 KB); default 10,000.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerGenerator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public ContentHashCachingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, int capacity = 10_000)
        : base(innerGenerator)
    {
        if (capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The cache capacity must be at least 1.");
        }

        _memory = new LruCache<string, float[]>(capacity);
        _entryOptions = new DistributedCacheEntryOptions();
        _defaultModelId = innerGenerator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId;
    }

    /// <summary>Caches in <paramref name="cache"/>.</summary>
    /// <param name="innerGenerator">The generator that computes the misses.</param>
    /// <param name="cache">The store; its entries are the vectors' bytes.</param>
    /// <param name="entryOptions">Expiration of new entries; <see langword="null"/> for the cache's default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerGenerator"/> or <paramref name="cache"/> is
    /// <see langword="null"/>.</exception>
    public ContentHashCachingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, IDistributedCache cache, DistributedCacheEntryOptions? entryOptions = null)
        : base(innerGenerator)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _distributed = cache;
        _entryOptions = entryOptions ?? new DistributedCacheEntryOptions();
        _defaultModelId = innerGenerator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId;
    }

    /// <summary>Computes the key from the text and the model id (and requested dimensions) in
    /// <paramref name="values"/>.</summary>
    /// <param name="values">The text and the <see cref="EmbeddingGenerationOptions"/>, as passed by the base class.</param>
    /// <returns><see cref="KeyPrefix"/> followed by the SHA-256 in lowercase hex.</returns>
    protected override string GetCacheKey(params ReadOnlySpan<object?> values)
    {
        string text = string.Empty;
        EmbeddingGenerationOptions? options = null;
        foreach (var value in values)
        {
            switch (value)
            {
                case string s:
                    text = s;
                    break;
                case EmbeddingGenerationOptions o:
                    options = o;
                    break;
            }
        }

        // model id \0 dimensions \0 text, UTF-8: the separators keep ("ab", "c") and ("a", "bc") apart.
        var modelId = options?.ModelId ?? _defaultModelId ?? string.Empty;
        var dimensions = options?.Dimensions is { } d ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty;
        var length = Encoding.UTF8.GetMaxByteCount(modelId.Length + dimensions.Length + text.Length + 2);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(modelId, buffer);
            buffer[written++] = 0;
            written += Encoding.UTF8.GetBytes(dimensions, buffer.AsSpan(written));
            buffer[written++] = 0;
            written += Encoding.UTF8.GetBytes(text, buffer.AsSpan(written));
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, written), hash);
            return string.Concat(KeyPrefix, Convert.ToHexStringLower(hash));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads an embedding; an entry whose length is not a whole number of floats counts as a miss.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token that cancels the read.</param>
    /// <returns>The cached embedding, or <see langword="null"/>.</returns>
    protected override async Task<Embedding<float>?> ReadCacheAsync(string key, CancellationToken cancellationToken)
    {
        if (_memory is not null)
        {
            return _memory.TryGet(key, out var vector) ? Wrap(vector) : null;
        }

        var bytes = await _distributed!.GetAsync(key, cancellationToken);
        return bytes is { Length: > 0 } && bytes.Length % sizeof(float) == 0 ? Wrap(FromBytes(bytes)) : null;
    }

    /// <summary>Stores a copy of the embedding's vector.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The embedding.</param>
    /// <param name="cancellationToken">A token that cancels the write.</param>
    /// <returns>A task that completes when the vector is stored.</returns>
    protected override Task WriteCacheAsync(string key, Embedding<float> value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_memory is not null)
        {
            _memory.Set(key, value.Vector.ToArray());
            return Task.CompletedTask;
        }

        return _distributed!.SetAsync(key, ToBytes(value.Vector.Span), _entryOptions, cancellationToken);
    }

    internal static byte[] ToBytes(ReadOnlySpan<float> vector)
    {
        var bytes = MemoryMarshal.AsBytes(vector).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            for (var i = 0; i < bytes.Length; i += sizeof(float))
            {
                bytes.AsSpan(i, sizeof(float)).Reverse();
            }
        }

        return bytes;
    }

    internal static float[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        var vector = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * sizeof(float)));
        }

        return vector;
    }

    private Embedding<float> Wrap(float[] vector) => new(vector) { ModelId = _defaultModelId };
}
