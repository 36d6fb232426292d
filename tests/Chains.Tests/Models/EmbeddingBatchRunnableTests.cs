using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Models;

public sealed class EmbeddingBatchRunnableTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_List_EmbedsAllInOneCallInOrder()
    {
        var generator = new FakeEmbeddingGenerator();
        var options = new EmbeddingGenerationOptions { ModelId = "m" };

        var embeddings = await generator.AsBatchRunnable(options).InvokeAsync(["a", "bbb", "cc"], cancellationToken: Ct);

        Assert.Equal([[1f, 0f], [3f, 1f], [2f, 2f]], embeddings.Select(e => e.Vector.ToArray()));
        Assert.Equal(1, generator.Calls);
        Assert.Same(options, generator.LastOptions);
    }

    [Fact]
    public async Task InvokeAsync_GeneratorReturnsWrongCount_ThrowsInvalidOperation()
    {
        var generator = new FakeEmbeddingGenerator
        {
            GenerateAsyncCallback = (_, _, _) => Task.FromResult(new GeneratedEmbeddings<Embedding<float>>([new Embedding<float>(new float[] { 1 })])),
        };

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await generator.AsBatchRunnable().InvokeAsync(["a", "b"], cancellationToken: Ct));

        Assert.Contains("1 embeddings for 2 inputs", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_Cancelled_PassesTokenToGenerator()
    {
        var generator = new FakeEmbeddingGenerator();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await generator.AsBatchRunnable().InvokeAsync(["a"], cancellationToken: new CancellationToken(true)));
    }

    [Fact]
    public async Task InvokeAsync_NullArguments_ThrowArgumentNull()
    {
        Assert.Throws<ArgumentNullException>("generator", () => ((IEmbeddingGenerator<string, Embedding<float>>)null!).AsBatchRunnable());
        await Assert.ThrowsAsync<ArgumentNullException>("input", async () => await new FakeEmbeddingGenerator().AsBatchRunnable().InvokeAsync(null!, cancellationToken: Ct));
    }

    [Fact]
    public async Task BatchAsync_EmbeddingStepOverInputs_KeepsOrder()
    {
        var outputs = await new FakeEmbeddingGenerator().AsRunnable().BatchAsync(["x", "yy", "zzz"], new RunOptions { MaxConcurrency = 2 }, Ct);

        Assert.Equal([1f, 2f, 3f], outputs.Select(e => e.Vector.Span[0]));
    }
}
