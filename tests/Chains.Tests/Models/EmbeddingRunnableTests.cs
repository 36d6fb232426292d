using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Models;

public sealed class EmbeddingRunnableTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_Value_ReturnsItsEmbedding()
    {
        var generator = new FakeEmbeddingGenerator();
        var options = new EmbeddingGenerationOptions { Dimensions = 2 };

        var embedding = await generator.AsRunnable(options).InvokeAsync("hello", cancellationToken: Ct);

        Assert.Equal([5f, 0f], embedding.Vector.ToArray());
        Assert.Equal(["hello"], generator.LastValues);
        Assert.Same(options, generator.LastOptions);
        Assert.Equal(1, generator.Calls);
    }

    [Fact]
    public async Task InvokeAsync_GeneratorReturnsWrongCount_ThrowsInvalidOperation()
    {
        var generator = new FakeEmbeddingGenerator { GenerateAsyncCallback = (_, _, _) => Task.FromResult(new GeneratedEmbeddings<Embedding<float>>()) };

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await generator.AsRunnable().InvokeAsync("x", cancellationToken: Ct));

        Assert.Contains("0 embeddings", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_InChainWithSink_ReportsEmbeddingStep()
    {
        var sink = new CollectingSink();
        var chain = Runnable.Lambda((string s) => s.Trim()).Pipe(new FakeEmbeddingGenerator().AsRunnable());

        var embedding = await chain.InvokeAsync("  ab ", new RunOptions { EventSink = sink }, Ct);

        Assert.Equal(2f, embedding.Vector.Span[0]);
        var start = sink.Events.OfType<RunStartedEvent>().Single(e => e.Info.StepKind == StepKinds.Embedding);
        Assert.Equal("fake-embedder", start.Name);
    }

    [Fact]
    public void Name_ModelIdFromOptionsThenMetadata()
    {
        var generator = new FakeEmbeddingGenerator();

        Assert.Equal("fake-embedder", generator.AsRunnable().Name);
        Assert.Equal("other", generator.AsRunnable(new EmbeddingGenerationOptions { ModelId = "other" }).Name);
        Assert.Throws<ArgumentNullException>("generator", () => ((IEmbeddingGenerator<string, Embedding<float>>)null!).AsRunnable());
    }
}
