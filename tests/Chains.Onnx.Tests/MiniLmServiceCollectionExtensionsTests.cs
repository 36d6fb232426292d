using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chains.Onnx.Tests;

/// <summary><see cref="MiniLmServiceCollectionExtensions"/>: the registered generator embeds Chinese and English with
/// the configured options, keys get their own models, the container owns the model, bad settings fail at registration.</summary>
public sealed class MiniLmServiceCollectionExtensionsTests(MiniLmFixture fixture)
{
    private const string Chinese = "今天天气很好，我们去公园散步吧";
    private const string English = "The weather is lovely today, let's walk in the park";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddMiniLmEmbeddings_FromConfiguration_EmbedsChineseAndEnglishWithThoseOptions()
    {
        var configuration = Configuration(new()
        {
            ["Chains:Embeddings:MaxSequenceLength"] = "128",
            ["Chains:Embeddings:BatchSize"] = "1",
            ["Chains:Embeddings:Normalize"] = "false",
            ["Chains:Embeddings:IntraOpNumThreads"] = "1",
        });
        var services = new ServiceCollection();
        services.AddMiniLmEmbeddings(configuration.GetSection("Chains:Embeddings"));
        await using var provider = services.BuildServiceProvider();

        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var embeddings = await generator.GenerateAsync([Chinese, English], cancellationToken: Ct);
        var reference = await fixture.Generator.GenerateAsync([Chinese, English], cancellationToken: Ct);

        Assert.Same(provider.GetRequiredService<MiniLmEmbeddingGenerator>(), generator.GetService<MiniLmEmbeddingGenerator>());
        Assert.Equal(MiniLmEmbeddingGenerator.ModelId, generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(MiniLmEmbeddingGenerator.Dimensions, embeddings[i].Vector.Length);
            Assert.True(Math.Abs(Vectors.Norm(embeddings[i]) - 1f) > 0.01f, "Normalize = false leaves the pooled vector's length");
            Assert.Equal(1f, Vectors.Cosine(embeddings[i], reference[i]), 4);
        }
    }

    [Fact]
    public async Task AddMiniLmEmbeddings_ReturnedBuilder_AddsMiddlewareAroundTheModel()
    {
        var calls = 0;
        var services = new ServiceCollection();
        services.AddMiniLmEmbeddings(new MiniLmOptions { IntraOpNumThreads = 1 })
            .Use(async (values, options, inner, cancellationToken) =>
            {
                Interlocked.Increment(ref calls);
                return await inner.GenerateAsync(values, options, cancellationToken);
            });
        await using var provider = services.BuildServiceProvider();

        var embedding = await provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GenerateAsync(Chinese, cancellationToken: Ct);

        Assert.Equal(1, calls);
        Assert.Equal(1f, Vectors.Norm(embedding), 3);
    }

    [Fact]
    public async Task AddKeyedMiniLmEmbeddings_TwoKeys_GetTheirOwnModelsAndOptions()
    {
        var configuration = Configuration(new() { ["Raw:Normalize"] = "false", ["Raw:IntraOpNumThreads"] = "1" });
        var services = new ServiceCollection();
        services.AddKeyedMiniLmEmbeddings("unit", new MiniLmOptions { IntraOpNumThreads = 1 });
        services.AddKeyedMiniLmEmbeddings("raw", configuration.GetSection("Raw"));
        await using var provider = services.BuildServiceProvider();

        var unit = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("unit");
        var raw = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("raw");
        var a = await unit.GenerateAsync(English, cancellationToken: Ct);
        var b = await raw.GenerateAsync(English, cancellationToken: Ct);

        Assert.NotSame(provider.GetRequiredKeyedService<MiniLmEmbeddingGenerator>("unit"), provider.GetRequiredKeyedService<MiniLmEmbeddingGenerator>("raw"));
        Assert.Null(provider.GetService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Equal(1f, Vectors.Norm(a), 3);
        Assert.True(Math.Abs(Vectors.Norm(b) - 1f) > 0.01f);
        Assert.Equal(1f, Vectors.Cosine(a, b), 4);
    }

    [Fact]
    public async Task AddMiniLmEmbeddings_ScopedRegistration_ScopesShareTheModelTheContainerDisposes()
    {
        var services = new ServiceCollection();
        services.AddMiniLmEmbeddings(new MiniLmOptions { IntraOpNumThreads = 1 }, ServiceLifetime.Scoped);
        var provider = services.BuildServiceProvider();
        IEmbeddingGenerator<string, Embedding<float>> first;
        await using (var scope = provider.CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            _ = await first.GenerateAsync(Chinese, cancellationToken: Ct);
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            var second = scope.ServiceProvider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            Assert.NotSame(first, second);
            Assert.Same(first.GetService<MiniLmEmbeddingGenerator>(), second.GetService<MiniLmEmbeddingGenerator>());
            Assert.Equal(MiniLmEmbeddingGenerator.Dimensions, (await second.GenerateAsync(English, cancellationToken: Ct)).Vector.Length);
        }

        var model = provider.GetRequiredService<MiniLmEmbeddingGenerator>();
        await provider.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => model.GenerateAsync([English], cancellationToken: Ct));
    }

    [Theory]
    [InlineData("BatchSize", "0", "Configuration value 'Chains:Embeddings:BatchSize' is '0', which is invalid: BatchSize must be at least 1.")]
    [InlineData("MaxSequenceLength", "1024", "Configuration value 'Chains:Embeddings:MaxSequenceLength' is '1024', which is invalid: MaxSequenceLength must be between 3 and 512.")]
    [InlineData("Normalize", "yes", "Configuration value 'Chains:Embeddings:Normalize' is 'yes', which is not true or false.")]
    [InlineData("Normalise", "true", "Configuration key 'Chains:Embeddings:Normalise' is not a MiniLmOptions setting. Did you mean 'Normalize'?")]
    public void AddMiniLmEmbeddings_BadConfiguration_FailsAtRegistrationNamingTheKey(string key, string value, string expected)
    {
        var services = new ServiceCollection();
        var configuration = Configuration(new() { [$"Chains:Embeddings:{key}"] = value });

        var ex = Assert.Throws<ArgumentException>(() => services.AddMiniLmEmbeddings(configuration.GetSection("Chains:Embeddings")));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    [Fact]
    public void AddMiniLmEmbeddings_InvalidOptionsInCode_ThrowsBeforeRegistering()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddKeyedMiniLmEmbeddings("k", new MiniLmOptions { InterOpNumThreads = -1 }));

        Assert.Equal(nameof(MiniLmOptions.InterOpNumThreads), ex.ParamName);
        Assert.Empty(services);
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
