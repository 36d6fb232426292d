using Chains.Prompts;

namespace Chains.Tests.Prompts;

public class SemanticSimilarityExampleSelectorTests
{
    private static readonly string[] Words = ["apple", "banana", "cherry", "grape", "lemon"];

    [Fact]
    public async Task SelectExamplesAsync_ReturnsKMostSimilarBestFirst()
    {
        var selector = new SemanticSimilarityExampleSelector<string>(Words, new FakeEmbeddingGenerator(), w => w, k: 2);

        var selected = await selector.SelectExamplesAsync("bananas", TestContext.Current.CancellationToken);

        Assert.Equal("banana", selected[0]);
        Assert.Equal(2, selected.Count);
        var expectedSecond = Words.Where(w => w != "banana").MaxBy(w => Cosine("bananas", w));
        Assert.Equal(expectedSecond, selected[1]);
    }

    [Fact]
    public async Task SelectExamplesAsync_KLargerThanExamples_ReturnsAll()
    {
        var selector = new SemanticSimilarityExampleSelector<string>(Words[..2], new FakeEmbeddingGenerator(), w => w, k: 10);

        var selected = await selector.SelectExamplesAsync("apple", TestContext.Current.CancellationToken);

        Assert.Equal(["apple", "banana"], selected);
    }

    [Fact]
    public async Task SelectExamplesAsync_ConcurrentFirstCalls_EmbedExamplesOnce()
    {
        var generator = new FakeEmbeddingGenerator();
        var gate = new TaskCompletionSource();
        generator.BeforeCall = (values, _) => values.Count > 1 ? gate.Task : Task.CompletedTask;
        var selector = new SemanticSimilarityExampleSelector<string>(Words, generator, w => w, k: 1);
        var ct = TestContext.Current.CancellationToken;

        var calls = Enumerable.Range(0, 20).Select(i => Task.Run(async () => await selector.SelectExamplesAsync("lemon", ct), ct)).ToArray();
        await Task.Delay(50, ct);
        gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.Equal("lemon", Assert.Single(r)));
        Assert.Equal(21, generator.Calls); // one batch for the examples, one per query
        Assert.Equal(Words.Length + 20, generator.Embedded.Count);
    }

    [Fact]
    public async Task SelectExamplesAsync_FirstEmbeddingFails_NextCallRetries()
    {
        var generator = new FakeEmbeddingGenerator();
        var fail = true;
        generator.BeforeCall = (values, _) => fail && values.Count > 1 ? Task.FromException(new InvalidOperationException("service down")) : Task.CompletedTask;
        var selector = new SemanticSimilarityExampleSelector<string>(Words, generator, w => w, k: 1);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await selector.SelectExamplesAsync("grape", TestContext.Current.CancellationToken));
        fail = false;
        var selected = await selector.SelectExamplesAsync("grape", TestContext.Current.CancellationToken);

        Assert.Equal("service down", ex.Message);
        Assert.Equal("grape", Assert.Single(selected));
    }

    [Fact]
    public async Task SelectExamplesAsync_CancelledWhileWaiting_ThrowsWithoutBreakingOthers()
    {
        var generator = new FakeEmbeddingGenerator();
        var gate = new TaskCompletionSource();
        generator.BeforeCall = (values, _) => values.Count > 1 ? gate.Task : Task.CompletedTask;
        var selector = new SemanticSimilarityExampleSelector<string>(Words, generator, w => w, k: 1);
        using var cts = new CancellationTokenSource();

        var cancelled = selector.SelectExamplesAsync("apple", cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        var other = selector.SelectExamplesAsync("cherry", TestContext.Current.CancellationToken).AsTask();
        gate.SetResult();

        Assert.Equal("cherry", Assert.Single(await other));
        Assert.Equal(2, generator.Calls);
    }

    [Fact]
    public async Task SelectExamplesAsync_NoExamples_ReturnsEmptyWithoutEmbedding()
    {
        var generator = new FakeEmbeddingGenerator();
        var selector = new SemanticSimilarityExampleSelector<string>([], generator, w => w);

        Assert.Empty(await selector.SelectExamplesAsync("x", TestContext.Current.CancellationToken));
        Assert.Equal(0, generator.Calls);
    }

    [Fact]
    public void Constructor_KLessThanOne_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new SemanticSimilarityExampleSelector<string>(Words, new FakeEmbeddingGenerator(), w => w, k: 0));

    private static double Cosine(string a, string b)
    {
        var x = FakeEmbeddingGenerator.Vectorize(a);
        var y = FakeEmbeddingGenerator.Vectorize(b);
        double dot = 0, xx = 0, yy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            dot += x[i] * y[i];
            xx += x[i] * x[i];
            yy += y[i] * y[i];
        }

        return dot / Math.Sqrt(xx * yy);
    }
}
