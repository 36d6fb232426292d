using System.Runtime.CompilerServices;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Runnables;

public sealed class RunnableLambdaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Name_NoNameGiven_IsLambda()
    {
        Assert.Equal("Lambda", Runnable.Lambda((int x) => x).Name);
        Assert.Equal("custom", Runnable.Lambda((int x) => x, "custom").Name);
        Assert.Equal("Lambda", Runnable.Streaming<int, int>((x, _, _) => new[] { x }.ToAsyncEnumerable()).Name);
    }

    [Fact]
    public async Task InvokeAsync_ContextLambda_RunsChildStepsNestedUnderIt()
    {
        var sink = new CollectingSink();
        var child = Runnable.Lambda((int x) => x * 3, "child");
        var parent = Runnable.Lambda<int, int>(async (x, context, ct) => await context.InvokeAsync(child, x, ct) + 1, "parent");

        Assert.Equal(7, await parent.InvokeAsync(2, new RunOptions { EventSink = sink }, Ct));

        var starts = sink.Events.OfType<RunStartedEvent>().ToList();
        Assert.Equal(["parent", "child"], starts.Select(e => e.Name));
        Assert.Equal(starts[0].RunId, starts[1].ParentRunId);
    }

    [Fact]
    public async Task InvokeAsync_StreamingStringLambda_ConcatenatesChunks()
    {
        var step = Runnable.Streaming<string, string>((s, _, ct) => Split(s, ct));

        Assert.Equal("hello", await step.InvokeAsync("hello", cancellationToken: Ct));
        Assert.Equal(["h", "e", "l", "l", "o"], await step.StreamAsync("hello", cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task InvokeAsync_StreamingResponseLambda_MergesChunks()
    {
        var step = Runnable.Streaming<string, ChatResponse>((s, _, ct) => Split(s, ct).Select(c => new ChatResponse(new ChatMessage(ChatRole.Assistant, c) { MessageId = "m" })));

        var response = await step.InvokeAsync("abc", cancellationToken: Ct);

        Assert.Equal("abc", Assert.Single(response.Messages).Text);
    }

    [Fact]
    public async Task InvokeAsync_StreamingSnapshotLambda_ReturnsLastChunk()
    {
        var step = Runnable.Streaming<int, int[]>((n, _, _) => Enumerable.Range(1, n).Select(i => Enumerable.Range(1, i).ToArray()).ToAsyncEnumerable());

        var last = await step.InvokeAsync(3, cancellationToken: Ct);

        Assert.Equal([1, 2, 3], last);
    }

    [Fact]
    public async Task StreamAsync_StreamingLambda_ReceivesRunContextAndToken()
    {
        RunContext seen = default;
        CancellationToken seenToken = default;
        var step = Runnable.Streaming<int, int>((x, context, ct) =>
        {
            seen = context;
            seenToken = ct;
            return new[] { x }.ToAsyncEnumerable();
        });

        await step.StreamAsync(1, new RunOptions { MaxConcurrency = 7 }, Ct).ToListAsync(Ct);

        Assert.Equal(7, seen.MaxConcurrency);
        Assert.Equal(Ct, seenToken);
    }

    [Fact]
    public async Task StreamAsync_DelegateThrowsBeforeReturningStream_FailsEnumerationAndReportsFailure()
    {
        var sink = new CollectingSink();
        var calls = 0;
        var step = Runnable.Streaming<int, int>(
            (_, _, _) =>
            {
                calls++;
                throw new FormatException("no stream");
            },
            "eager");

        var observed = step.StreamAsync(1, new RunOptions { EventSink = sink }, Ct);
        var unobserved = step.StreamAsync(1, cancellationToken: Ct);
        Assert.Equal(0, calls);

        await Assert.ThrowsAsync<FormatException>(async () => await observed.ToListAsync(Ct));
        await Assert.ThrowsAsync<FormatException>(async () => await unobserved.ToListAsync(Ct));
        Assert.Equal(["Started eager", "Failed eager"], sink.Events.Select(e => $"{e.Kind} {e.Name}"));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Lambda_NullDelegate_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>("func", () => Runnable.Lambda((Func<int, int>)null!));
        Assert.Throws<ArgumentNullException>("func", () => Runnable.Lambda((Func<int, CancellationToken, Task<int>>)null!));
        Assert.Throws<ArgumentNullException>("func", () => Runnable.Lambda((Func<int, RunContext, CancellationToken, ValueTask<int>>)null!));
        Assert.Throws<ArgumentNullException>("func", () => Runnable.Streaming((Func<int, RunContext, CancellationToken, IAsyncEnumerable<int>>)null!));
    }

    private static async IAsyncEnumerable<string> Split(string s, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var c in s)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return c.ToString();
        }
    }
}
