using Chains.Indexes.Embeddings;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Indexes.Embeddings;

public sealed class TokenBudgetBatchingEmbeddingGeneratorTests
{
    private static readonly CancellationToken Token = TestContext.Current.CancellationToken;

    private static TokenBudgetBatchingEmbeddingGenerator Create(RecordingEmbeddingGenerator inner, int budget, int maxBatch = 100, int parallelism = 1, Func<string, int>? counter = null)
        => new(inner, new TokenBudgetBatchingOptions { MaxTokensPerBatch = budget, MaxBatchSize = maxBatch, MaxDegreeOfParallelism = parallelism, TokenCounter = counter ?? (t => t.Length) });

    [Fact]
    public async Task GenerateAsync_ManyTexts_SplitsWithinTheBudgetAndKeepsOrder()
    {
        var inner = new RecordingEmbeddingGenerator();
        using var generator = Create(inner, budget: 10);
        string[] texts = ["aaaa", "bbbb", "cc", "ddddddd", "e", "ffffffffff", "gg", "h"];

        var embeddings = await generator.GenerateAsync(texts, cancellationToken: Token);

        Assert.Equal([["aaaa", "bbbb", "cc"], ["ddddddd", "e"], ["ffffffffff"], ["gg", "h"]], inner.Requests);
        Assert.All(inner.Requests, r => Assert.True(r.Sum(t => t.Length) <= 10));
        Assert.Equal(texts.Select(t => RecordingEmbeddingGenerator.VectorOf(t).Vector.ToArray()), embeddings.Select(e => e.Vector.ToArray()));
    }

    [Fact]
    public async Task GenerateAsync_MaxBatchSize_LimitsTextsPerRequest()
    {
        var inner = new RecordingEmbeddingGenerator();
        using var generator = Create(inner, budget: 1000, maxBatch: 3);

        var embeddings = await generator.GenerateAsync(Enumerable.Range(0, 8).Select(i => $"t{i}"), cancellationToken: Token);

        Assert.Equal([3, 3, 2], inner.Requests.Select(r => r.Count));
        Assert.Equal(8, embeddings.Count);
    }

    [Fact]
    public async Task GenerateAsync_TextOverTheBudget_IsSentAlone()
    {
        var inner = new RecordingEmbeddingGenerator();
        using var generator = Create(inner, budget: 5);

        await generator.GenerateAsync(["ab", "far too long", "cd"], cancellationToken: Token);

        Assert.Equal([["ab"], ["far too long"], ["cd"]], inner.Requests);
    }

    [Fact]
    public async Task GenerateAsync_DefaultCounter_EstimatesOneTokenPerFourCharacters()
    {
        var inner = new RecordingEmbeddingGenerator();
        using var generator = new TokenBudgetBatchingEmbeddingGenerator(inner, new TokenBudgetBatchingOptions { MaxTokensPerBatch = 2 });

        await generator.GenerateAsync(["12345678", "1234", "1234", "12345"], cancellationToken: Token);

        // 8 chars = 2 tokens; 4 chars = 1 token; 5 chars = 2 tokens (rounded up).
        Assert.Equal([["12345678"], ["1234", "1234"], ["12345"]], inner.Requests);
    }

    [Fact]
    public async Task GenerateAsync_FitsInOneRequest_ReturnsTheInnerResultUnchanged()
    {
        var expected = RecordingEmbeddingGenerator.Embed(["a", "b"]);
        expected.AdditionalProperties = new() { ["provider"] = "x" };
        var inner = new RecordingEmbeddingGenerator { Callback = (_, _, _) => Task.FromResult(expected) };
        using var generator = Create(inner, budget: 10);

        var embeddings = await generator.GenerateAsync(["a", "b"], cancellationToken: Token);

        Assert.Same(expected, embeddings);
        Assert.Single(inner.Requests);
    }

    [Fact]
    public async Task GenerateAsync_InnerReportsUsage_SumsItOverRequests()
    {
        var inner = new RecordingEmbeddingGenerator
        {
            Callback = (texts, _, _) =>
            {
                var result = RecordingEmbeddingGenerator.Embed(texts);
                result.Usage = new UsageDetails { InputTokenCount = texts.Sum(t => t.Length), TotalTokenCount = texts.Sum(t => t.Length) };
                return Task.FromResult(result);
            },
        };
        using var generator = Create(inner, budget: 4);

        var embeddings = await generator.GenerateAsync(["aaa", "bbb", "cc"], cancellationToken: Token);

        Assert.Equal(3, inner.Requests.Count);
        Assert.Equal(8, embeddings.Usage?.InputTokenCount);
        Assert.Equal(8, embeddings.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task GenerateAsync_MaxDegreeOfParallelism_RunsThatManyRequestsAtOnceAndKeepsOrder()
    {
        int active = 0, maxActive = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new RecordingEmbeddingGenerator
        {
            Callback = async (texts, _, ct) =>
            {
                var now = Interlocked.Increment(ref active);
                InterlockedMax(ref maxActive, now);
                if (now == 3)
                {
                    allStarted.TrySetResult();
                }

                await allStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
                Interlocked.Decrement(ref active);
                return RecordingEmbeddingGenerator.Embed(texts);
            },
        };
        using var generator = Create(inner, budget: 1000, maxBatch: 2, parallelism: 3);
        var texts = Enumerable.Range(0, 12).Select(i => new string('x', i + 1)).ToArray();

        var embeddings = await generator.GenerateAsync(texts, cancellationToken: Token);

        Assert.Equal(3, maxActive);
        Assert.Equal(6, inner.Requests.Count);
        Assert.Equal(texts.Select(t => (float)t.Length), embeddings.Select(e => e.Vector.Span[0]));
    }

    [Fact]
    public async Task GenerateAsync_CancelledBetweenRequests_StopsSendingAndThrows()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var inner = new RecordingEmbeddingGenerator
        {
            Callback = (texts, _, ct) =>
            {
                cts.Cancel();
                return Task.FromResult(RecordingEmbeddingGenerator.Embed(texts));
            },
        };
        using var generator = Create(inner, budget: 1);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => generator.GenerateAsync(["a", "b", "c"], cancellationToken: cts.Token));

        Assert.Single(inner.Requests);
    }

    [Fact]
    public async Task GenerateAsync_InnerReturnsTooFewEmbeddings_ThrowsInvalidOperation()
    {
        var inner = new RecordingEmbeddingGenerator { Callback = (texts, _, _) => Task.FromResult(RecordingEmbeddingGenerator.Embed(texts.Skip(1))) };
        using var generator = Create(inner, budget: 2);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(["aa", "bb"], cancellationToken: Token));

        Assert.Contains("0 embeddings for 1 texts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_CounterReturnsNegative_ThrowsInvalidOperationNamingTheIndex()
    {
        using var generator = Create(new RecordingEmbeddingGenerator(), budget: 10, counter: t => t == "bad" ? -1 : 1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(["ok", "bad"], cancellationToken: Token));

        Assert.Contains("index 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_NullText_ThrowsArgumentNull()
    {
        using var generator = Create(new RecordingEmbeddingGenerator(), budget: 10);

        await Assert.ThrowsAsync<ArgumentNullException>(() => generator.GenerateAsync(["ok", null!], cancellationToken: Token));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheOption()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBudgetBatchingEmbeddingGenerator(new RecordingEmbeddingGenerator(), new TokenBudgetBatchingOptions { MaxDegreeOfParallelism = 0 }));

        Assert.Equal(nameof(TokenBudgetBatchingOptions.MaxDegreeOfParallelism), error.ParamName);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
