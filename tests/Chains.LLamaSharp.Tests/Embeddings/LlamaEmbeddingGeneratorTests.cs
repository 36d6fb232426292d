using System.Numerics.Tensors;
using Chains.LLamaSharp.Tests.Support;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Tests.Embeddings;

public sealed class LlamaEmbeddingGeneratorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateAsync_Texts_GivesUnitVectorsOfTheModelWidth()
    {
        using var model = TestModels.Load();
        using var generator = model.AsEmbeddingGenerator();

        var embeddings = await generator.GenerateAsync(["the cat sat", "the cat sat", "stock prices fell"], null, Ct);

        Assert.Equal(3, embeddings.Count);
        Assert.All(embeddings, e =>
        {
            Assert.Equal(64, e.Dimensions);
            Assert.Equal(1f, TensorPrimitives.Norm(e.Vector.Span), 3);
            Assert.Equal("tiny-test-llama", e.ModelId);
        });
        Assert.Equal(embeddings[0].Vector.ToArray(), embeddings[1].Vector.ToArray());
        Assert.True(TensorPrimitives.CosineSimilarity(embeddings[0].Vector.Span, embeddings[2].Vector.Span) < 0.999f);
        Assert.True(embeddings.Usage!.InputTokenCount > 10);
    }

    [Fact]
    public async Task GenerateAsync_ManyInputsInBatches_EqualsOneByOne()
    {
        using var model = TestModels.Load();
        using var generator = model.AsEmbeddingGenerator(new LlamaEmbeddingOptions { MaxBatchInputs = 4 });
        var texts = Enumerable.Range(0, 11).Select(i => $"document number {i} says {new string('x', i)}").ToList();

        var batched = await generator.GenerateAsync(texts, null, Ct);
        var single = new List<Embedding<float>>();
        foreach (var text in texts)
        {
            single.Add((await generator.GenerateAsync([text], null, Ct))[0]);
        }

        for (var i = 0; i < texts.Count; i++)
        {
            Assert.True(TensorPrimitives.CosineSimilarity(batched[i].Vector.Span, single[i].Vector.Span) > 0.9999f, $"input {i}");
        }
    }

    [Fact]
    public async Task GenerateAsync_PoolingChoices_GiveDifferentVectors()
    {
        using var model = TestModels.Load();
        const string Text = "pooling differs by strategy";

        var mean = (await model.AsEmbeddingGenerator(new LlamaEmbeddingOptions { Pooling = EmbeddingPooling.Mean }).GenerateAsync([Text], null, Ct))[0];
        var model1 = (await model.AsEmbeddingGenerator().GenerateAsync([Text], null, Ct))[0];
        var last = (await model.AsEmbeddingGenerator(new LlamaEmbeddingOptions { Pooling = EmbeddingPooling.Last }).GenerateAsync([Text], null, Ct))[0];
        var cls = (await model.AsEmbeddingGenerator(new LlamaEmbeddingOptions { Pooling = EmbeddingPooling.Cls }).GenerateAsync([Text], null, Ct))[0];
        var raw = (await model.AsEmbeddingGenerator(new LlamaEmbeddingOptions { Normalize = false }).GenerateAsync([Text], null, Ct))[0];

        // A model without {arch}.pooling_type pools by mean.
        Assert.Equal(mean.Vector.ToArray(), model1.Vector.ToArray());
        Assert.NotEqual(mean.Vector.ToArray(), last.Vector.ToArray());
        Assert.NotEqual(last.Vector.ToArray(), cls.Vector.ToArray());
        Assert.NotEqual(1f, TensorPrimitives.Norm(raw.Vector.Span), 2);
        Assert.True(TensorPrimitives.CosineSimilarity(raw.Vector.Span, mean.Vector.Span) > 0.9999f);
    }

    [Fact]
    public async Task GenerateAsync_FewerDimensions_TruncatesAndRenormalises()
    {
        using var model = TestModels.Load();
        using var generator = model.AsEmbeddingGenerator();

        var full = (await generator.GenerateAsync(["matryoshka"], null, Ct))[0];
        var small = (await generator.GenerateAsync(["matryoshka"], new EmbeddingGenerationOptions { Dimensions = 16 }, Ct))[0];

        Assert.Equal(16, small.Dimensions);
        Assert.Equal(1f, TensorPrimitives.Norm(small.Vector.Span), 3);
        Assert.True(TensorPrimitives.CosineSimilarity(small.Vector.Span, full.Vector.Span[..16]) > 0.9999f);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 65 }, Ct));
    }

    [Fact]
    public async Task GenerateAsync_EmptyAndOverlongInputs_EmbedTheEmptyOneAndRejectTheOverlong()
    {
        using var model = TestModels.Load(TestModels.Options(contextSize: 64));
        using var generator = model.AsEmbeddingGenerator();

        var empty = await generator.GenerateAsync([string.Empty], null, Ct);
        var none = await generator.GenerateAsync([], null, Ct);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(["ok", new string('z', 500)], null, Ct));

        Assert.Equal(64, empty[0].Dimensions);
        Assert.Empty(none);
        Assert.Contains("values[1]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_ConcurrentWithChat_BothSucceed()
    {
        using var model = TestModels.Load();
        using var generator = model.AsEmbeddingGenerator();
        using var chat = model.AsChatClient();

        var embeddings = Enumerable.Range(0, 6).Select(i => generator.GenerateAsync([$"text {i}", $"other {i}"], null, Ct)).ToList();
        var chats = Enumerable.Range(0, 4).Select(i => chat.GetResponseAsync($"hi {i}", new ChatOptions { MaxOutputTokens = 8, Seed = i }, Ct)).ToList();
        await Task.WhenAll(embeddings.Cast<Task>().Concat(chats));

        Assert.All(embeddings, e => Assert.Equal(2, e.Result.Count));
        Assert.All(chats, c => Assert.NotNull(c.Result.FinishReason));
    }

    [Fact]
    public void GetService_Metadata_ReportsTheDimensions()
    {
        using var model = TestModels.Load();
        using var generator = model.AsEmbeddingGenerator();

        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.Equal(64, metadata?.DefaultModelDimensions);
        Assert.Equal("llama.cpp", metadata?.ProviderName);
        Assert.Equal("tiny-test-llama", metadata?.DefaultModelId);
        Assert.Same(model, generator.GetService<LlamaModel>());
    }
}
