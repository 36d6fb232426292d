using Chains.DependencyInjection;
using Chains.Onnx;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the offline all-MiniLM-L6-v2 <see cref="MiniLmEmbeddingGenerator"/> as an
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>, through Microsoft.Extensions.AI's
/// <c>AddEmbeddingGenerator</c> / <c>AddKeyedEmbeddingGenerator</c>.</summary>
/// <remarks>
/// <para>Each service key gets one <see cref="MiniLmEmbeddingGenerator"/> (a singleton registered with <c>TryAdd</c>,
/// so the first registration's options win for a key, and also resolvable as <see cref="MiniLmEmbeddingGenerator"/> for
/// <see cref="MiniLmEmbeddingGenerator.CountTokens"/>). It loads the model on first use, not at registration, and is
/// disposed with the container. The <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> registration has the lifetime
/// you pass and never disposes that shared model.</para>
/// <para>From configuration the keys are the <see cref="MiniLmOptions"/> property names:
/// <code>"Embeddings": { "MaxSequenceLength": 256, "BatchSize": 32, "Normalize": true, "IntraOpNumThreads": 4 }</code></para>
/// </remarks>
public static class MiniLmServiceCollectionExtensions
{
    /// <summary>Registers MiniLM sentence embeddings as the <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of
    /// strings. The options are validated now.</summary>
    /// <param name="services">The services.</param>
    /// <param name="options">The options, read when the model loads (first use); <see langword="null"/> for the defaults.</param>
    /// <param name="lifetime">The lifetime of the <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> registration (default singleton); the model itself is always one per key.</param>
    /// <returns>The builder of the generator pipeline, to add middleware (caching, telemetry).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddMiniLmEmbeddings(this IServiceCollection services, MiniLmOptions? options = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        options ??= new MiniLmOptions();
        options.Validate();
        return AddCore(services, null, options, lifetime);
    }

    /// <summary>Registers MiniLM sentence embeddings with options read now from <paramref name="configuration"/>. A
    /// missing section, a bad value or an unknown key fails here, with a message naming the full key path.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section, e.g. <c>configuration.GetSection("Chains:Embeddings")</c>.</param>
    /// <param name="lifetime">The lifetime of the <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> registration (default singleton).</param>
    /// <returns>The builder of the generator pipeline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The section is missing, or holds a bad value or an unknown key; the message names it.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddMiniLmEmbeddings(this IServiceCollection services, IConfiguration configuration, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddCore(services, null, Read(configuration), lifetime);
    }

    /// <summary>Registers MiniLM sentence embeddings under <paramref name="serviceKey"/> (resolve with
    /// <c>GetRequiredKeyedService</c> or <c>[FromKeyedServices]</c>), with their own model instance.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The service key.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="lifetime">The lifetime of the <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> registration (default singleton).</param>
    /// <returns>The builder of the generator pipeline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="serviceKey"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddKeyedMiniLmEmbeddings(this IServiceCollection services, object serviceKey, MiniLmOptions? options = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        options ??= new MiniLmOptions();
        options.Validate();
        return AddCore(services, serviceKey, options, lifetime);
    }

    /// <summary>Registers MiniLM sentence embeddings under <paramref name="serviceKey"/>, with options read now from
    /// <paramref name="configuration"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The service key.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <param name="lifetime">The lifetime of the <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> registration (default singleton).</param>
    /// <returns>The builder of the generator pipeline.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The section is missing, or holds a bad value or an unknown key; the message names it.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddKeyedMiniLmEmbeddings(this IServiceCollection services, object serviceKey, IConfiguration configuration, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        return AddCore(services, serviceKey, Read(configuration), lifetime);
    }

    private static MiniLmOptions Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var reader = new ConfigurationReader(configuration, nameof(MiniLmOptions));
        var defaults = new MiniLmOptions();
        var options = new MiniLmOptions
        {
            MaxSequenceLength = reader.Int32(nameof(MiniLmOptions.MaxSequenceLength)) ?? defaults.MaxSequenceLength,
            BatchSize = reader.Int32(nameof(MiniLmOptions.BatchSize)) ?? defaults.BatchSize,
            Normalize = reader.Boolean(nameof(MiniLmOptions.Normalize)) ?? defaults.Normalize,
            IntraOpNumThreads = reader.Int32(nameof(MiniLmOptions.IntraOpNumThreads)) ?? defaults.IntraOpNumThreads,
            InterOpNumThreads = reader.Int32(nameof(MiniLmOptions.InterOpNumThreads)) ?? defaults.InterOpNumThreads,
        };
        reader.ThrowIfUnknownKeys();
        return reader.Build(() =>
        {
            options.Validate();
            return options;
        });
    }

    private static EmbeddingGeneratorBuilder<string, Embedding<float>> AddCore(IServiceCollection services, object? serviceKey, MiniLmOptions options, ServiceLifetime lifetime)
    {
        services.TryAdd(new ServiceDescriptor(typeof(MiniLmEmbeddingGenerator), serviceKey, (_, _) => new MiniLmEmbeddingGenerator(options), ServiceLifetime.Singleton));
        return serviceKey is null
            ? services.AddEmbeddingGenerator(sp => new SharedModel(sp.GetRequiredService<MiniLmEmbeddingGenerator>()), lifetime)
            : services.AddKeyedEmbeddingGenerator(serviceKey, sp => new SharedModel(sp.GetRequiredKeyedService<MiniLmEmbeddingGenerator>(serviceKey)), lifetime);
    }

    /// <summary>The registered generator over the container's model: disposing it (at the end of a scope, say) leaves
    /// the model, which the container disposes once, with itself.</summary>
    private sealed class SharedModel(MiniLmEmbeddingGenerator model) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
            => model.GenerateAsync(values, options, cancellationToken);

        public object? GetService(Type serviceType, object? serviceKey = null)
        {
            ArgumentNullException.ThrowIfNull(serviceType);
            return model.GetService(serviceType, serviceKey);
        }

        public void Dispose()
        {
            // The container owns the model.
        }
    }
}
