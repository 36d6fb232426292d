using System.Diagnostics;
using System.Runtime.CompilerServices;
using Chains.Runnables;
using Chains.Tests.Diagnostics;
using Chains.Tests.Fakes;

namespace Chains.Tests.Runnables;

/// <summary>The entry points of <see cref="Runnable{TIn,TOut}"/>. Alone in its collection: the allocation and
/// responsiveness tests need nobody else listening or competing for the CPU.</summary>
[Collection(ListenerSensitiveCollection.Name)]
public sealed class RunnableTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_SyncLambda_ReturnsOutput()
        => Assert.Equal(3, await Runnable.Lambda((int x) => x + 1).InvokeAsync(2, cancellationToken: Ct));

    [Fact]
    public async Task InvokeAsync_CancelledToken_ThrowsOperationCanceled()
    {
        var calls = 0;
        var step = Runnable.Lambda((int x) => ++calls);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await step.InvokeAsync(1, cancellationToken: new CancellationToken(true)));
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task InvokeAsync_SyncStepThrows_ReturnsFaultedTaskInsteadOfThrowing()
    {
        var error = new FormatException("bad");
        var chain = Runnable.Lambda((int x) => x).Pipe(Runnable.Lambda<int, int>(_ => throw error));

        var run = chain.InvokeAsync(1, cancellationToken: Ct).AsTask();

        Assert.True(run.IsFaulted);
        Assert.Same(error, await Assert.ThrowsAsync<FormatException>(() => run));
    }

    [Fact]
    public void InvokeAsync_CancelledTokenOnSyncStep_ReturnsCanceledTask()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var run = Runnable.Lambda((int x) => x).InvokeAsync(1, cancellationToken: cts.Token).AsTask();

        Assert.True(run.IsCanceled);
    }

    [Fact]
    public async Task StreamAsync_NonStreamingStep_YieldsOutputOnce()
    {
        var calls = 0;
        var step = Runnable.Lambda((string s) => { calls++; return s.ToUpperInvariant(); });

        var chunks = await step.StreamAsync("abc", cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(["ABC"], chunks);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task TransformAsync_StringChunksIntoNonStreamingStep_ConcatenatesInput()
    {
        var step = Runnable.Lambda((string s) => $"<{s}>");

        var chunks = await step.TransformAsync(Chunks("ab", "cd", "e"), cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(["<abcde>"], chunks);
    }

    [Fact]
    public async Task TransformAsync_SnapshotChunksIntoNonStreamingStep_UsesLastChunk()
    {
        var step = Runnable.Lambda((int x) => x * 10);

        var chunks = await step.TransformAsync(Chunks(1, 2, 3), cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal([30], chunks);
    }

    [Fact]
    public async Task TransformAsync_EmptySnapshotInput_ThrowsInvalidOperation()
    {
        var step = Runnable.Lambda((int x) => x);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await step.TransformAsync(Chunks<int>(), cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public void TransformAsync_NullInput_ThrowsArgumentNull()
        => Assert.Throws<ArgumentNullException>("input", () => Runnable.Lambda((int x) => x).TransformAsync(null!, cancellationToken: Ct));

    [Fact]
    public async Task BatchAsync_Inputs_ReturnsOutputsInInputOrder()
    {
        // Later items finish first; the outputs still follow the inputs.
        var step = Runnable.Lambda<int, int>(async (x, ct) =>
        {
            for (var i = 0; i < 10 - x; i++)
            {
                await Task.Yield();
            }

            return x * 10;
        });

        var outputs = await step.BatchAsync([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], new RunOptions { MaxConcurrency = 4 }, Ct);

        Assert.Equal([0, 10, 20, 30, 40, 50, 60, 70, 80, 90], outputs);
    }

    [Fact]
    public async Task BatchAsync_EmptyInputs_ReturnsEmpty()
        => Assert.Empty(await Runnable.Lambda((int x) => x).BatchAsync([], cancellationToken: Ct));

    [Fact]
    public async Task BatchAsync_MaxConcurrency_InFlightNeverAboveBound()
    {
        const int bound = 3;
        var inFlight = 0;
        var maxInFlight = 0;
        var started = 0;
        var reachedBound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var step = Runnable.Lambda<int, int>(async (x, ct) =>
        {
            Interlocked.Increment(ref started);
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            if (now == bound)
            {
                reachedBound.TrySetResult();
            }

            await gate.Task.WaitAsync(ct);
            await Task.Yield();
            Interlocked.Decrement(ref inFlight);
            return x + 100;
        });
        var inputs = Enumerable.Range(0, 20).ToArray();

        var batch = step.BatchAsync(inputs, new RunOptions { MaxConcurrency = bound }, Ct);
        await reachedBound.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // The bound is reached and every worker is parked on the gate: no fourth item may have started.
        Assert.Equal(bound, Volatile.Read(ref started));
        gate.SetResult();
        var outputs = await batch;

        Assert.Equal(inputs.Select(x => x + 100), outputs);
        Assert.Equal(bound, maxInFlight);
        Assert.Equal(20, started);
    }

    [Fact]
    public async Task BatchAsync_ItemFails_CancelsOthersAndThrowsOriginal()
    {
        var othersStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var cancelled = 0;
        var boom = new InvalidOperationException("boom");
        var step = Runnable.Lambda<int, int>(async (x, ct) =>
        {
            if (Interlocked.Increment(ref started) == 3)
            {
                othersStarted.TrySetResult();
            }

            if (x == 0)
            {
                await othersStarted.Task.WaitAsync(ct);
                throw boom;
            }

            try
            {
                await Task.Delay(Timeout.Infinite, ct);
                return x;
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref cancelled);
                throw;
            }
        });

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => step.BatchAsync([0, 1, 2, 3, 4], new RunOptions { MaxConcurrency = 3 }, Ct));

        Assert.Same(boom, thrown);
        Assert.Equal(2, cancelled);
        Assert.Equal(3, started);
    }

    [Fact]
    public async Task BatchAsync_MaxConcurrencyOne_RunsSequentiallyAndThrowsFirstFailure()
    {
        var seen = new List<int>();
        var step = Runnable.Lambda((int x) =>
        {
            seen.Add(x);
            return x == 2 ? throw new InvalidOperationException("two") : x;
        });

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => step.BatchAsync([1, 2, 3], new RunOptions { MaxConcurrency = 1 }, Ct));

        Assert.Equal("two", thrown.Message);
        Assert.Equal([1, 2], seen);
    }

    [Fact]
    public async Task TryBatchAsync_SomeItemsFail_ReturnsEachResultWithoutThrowing()
    {
        var step = Runnable.Lambda<int, int>(async (x, ct) =>
        {
            await Task.Yield();
            return x % 2 == 1 ? throw new InvalidOperationException($"odd {x}") : x * 10;
        });

        var results = await step.TryBatchAsync([0, 1, 2, 3, 4], new RunOptions { MaxConcurrency = 2 }, Ct);

        Assert.Equal(5, results.Count);
        Assert.Equal([0, 20, 40], results.Where(r => r.IsSuccess).Select(r => r.Value));
        Assert.Equal(["odd 1", "odd 3"], results.Where(r => !r.IsSuccess).Select(r => r.Error!.Message));
        Assert.True(results[0].IsSuccess);
        Assert.False(results[1].IsSuccess);
        Assert.IsType<InvalidOperationException>(results[3].Error);
    }

    [Fact]
    public async Task TryBatchAsync_CancelledToken_ReportsCancellationPerItem()
    {
        var results = await Runnable.Lambda((int x) => x).TryBatchAsync([1, 2], cancellationToken: new CancellationToken(true));

        Assert.All(results, r => Assert.IsAssignableFrom<OperationCanceledException>(r.Error));
    }

    [Fact]
    public async Task StreamEventsAsync_SingleStep_YieldsTypedStartChunkEnd()
    {
        var step = Runnable.Lambda((int x) => x + 1, "inc");

        var events = await step.StreamEventsAsync(1, new RunOptions { Tags = ["t"] }, Ct).ToListAsync(Ct);

        Assert.Collection(
            events,
            e => Assert.Equal(1, Assert.IsType<RunStartedEvent>(e).Input),
            e => Assert.Equal(2, Assert.IsType<RunChunkEvent>(e).Chunk),
            e => Assert.Equal(2, Assert.IsType<RunCompletedEvent>(e).Output));
        Assert.All(events, e => Assert.Equal("inc", e.Name));
        Assert.All(events, e => Assert.Equal(["t"], e.Tags));
        Assert.All(events, e => Assert.Null(e.ParentRunId));
        Assert.Single(events.Select(e => e.RunId).Distinct());
        Assert.Equal([RunEventKind.Started, RunEventKind.Chunk, RunEventKind.Completed], events.Select(e => e.Kind));
    }

    [Fact]
    public async Task StreamEventsAsync_OptionsSink_AlsoReceivesEveryEvent()
    {
        var sink = new CollectingSink();

        var events = await Runnable.Lambda((int x) => x).StreamEventsAsync(1, new RunOptions { EventSink = sink }, Ct).ToListAsync(Ct);

        Assert.Equal(events, sink.Events);
    }

    [Fact]
    public async Task StreamEventsAsync_NestedStepFails_ReportsFailureForStepAndAncestorsThenRethrows()
    {
        var boom = new InvalidOperationException("boom");
        var inner = Runnable.Lambda((int x) => x + 1, "b").Pipe(Runnable.Lambda<int, int>(_ => throw boom, "fails"));
        var chain = Runnable.Lambda((int x) => x, "a").Pipe(inner.WithName("sub")).Pipe(Runnable.Lambda((int x) => x, "c"));
        var events = new List<RunEvent>();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var e in chain.StreamEventsAsync(1, cancellationToken: Ct))
            {
                events.Add(e);
            }
        });

        Assert.Same(boom, thrown);
        var failed = events.OfType<RunFailedEvent>().ToList();
        Assert.Equal(["fails", "sub", "Sequence"], failed.Select(e => e.Name));
        Assert.All(failed, e => Assert.Same(boom, e.Error));
        Assert.Equal(RunEventKind.Failed, failed[0].Kind);
        var root = events.OfType<RunStartedEvent>().Single(e => e.ParentRunId is null);
        var sub = events.OfType<RunStartedEvent>().Single(e => e.Name == "sub");
        Assert.Equal(root.RunId, sub.ParentRunId);
        Assert.Equal(sub.RunId, failed[0].ParentRunId);
        Assert.Contains(events, e => e is RunCompletedEvent { Name: "a" });
        Assert.Contains(events, e => e is RunCompletedEvent { Name: "b" });
        Assert.DoesNotContain(events, e => e is RunCompletedEvent { Name: "c" } or RunCompletedEvent { Name: "Sequence" });
        Assert.Same(root.Info, events[^1].Info);
    }

    [Fact]
    public async Task InvokeAsync_NestedStepFailsWithSink_ReportsFailureForStepAndAncestors()
    {
        var sink = new CollectingSink();
        var chain = Runnable.Lambda((int x) => x, "a").Pipe(Runnable.Lambda<int, int>(_ => throw new FormatException("bad"), "fails"));

        await Assert.ThrowsAsync<FormatException>(async () => await chain.InvokeAsync(1, new RunOptions { EventSink = sink }, Ct));

        var failed = sink.Events.OfType<RunFailedEvent>().ToList();
        Assert.Equal(["fails", "Sequence"], failed.Select(e => e.Name));
        Assert.Equal(failed[1].RunId, failed[0].ParentRunId);
        Assert.All(failed, e => Assert.IsType<FormatException>(e.Error));
    }

    [Fact]
    public async Task StreamAsync_StepIgnoresTokenCancelledAfterThreeChunks_StopsWithin100Ms()
    {
        var step = Runnable.Streaming<int, int>((_, _, _) => Forever(honorToken: false, CancellationToken.None));

        var (received, elapsed) = await CancelAfterThreeChunksAsync(cts => step.StreamAsync(0, cancellationToken: cts.Token));

        Assert.Equal(3, received);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(100), $"The stream ended {elapsed.TotalMilliseconds:F0} ms after cancellation.");
    }

    [Fact]
    public async Task StreamAsync_ObservedChainCancelledAfterThreeChunks_StopsWithin100Ms()
    {
        var chain = Runnable.Lambda((int x) => x)
            .Pipe(Runnable.Streaming<int, int>((_, _, ct) => Forever(honorToken: true, ct)))
            .Pipe(Runnable.Passthrough<int>());
        var sink = new CollectingSink();

        var (received, elapsed) = await CancelAfterThreeChunksAsync(cts => chain.StreamAsync(0, new RunOptions { EventSink = sink }, cts.Token));

        Assert.Equal(3, received);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(100), $"The stream ended {elapsed.TotalMilliseconds:F0} ms after cancellation.");
        Assert.Contains(sink.Events, e => e is RunFailedEvent { Name: "Sequence", Error: OperationCanceledException });
    }

    [Fact]
    public async Task StreamEventsAsync_CancelledAfterThreeChunks_StopsWithin100Ms()
    {
        var step = Runnable.Streaming<int, int>((_, _, _) => Forever(honorToken: false, CancellationToken.None));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var chunks = 0;
        Stopwatch? sinceCancel = null;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in step.StreamEventsAsync(0, cancellationToken: cts.Token))
            {
                if (e is RunChunkEvent && ++chunks == 3)
                {
                    sinceCancel = Stopwatch.StartNew();
                    await cts.CancelAsync();
                }
            }
        });

        Assert.NotNull(sinceCancel);
        Assert.True(sinceCancel.Elapsed < TimeSpan.FromMilliseconds(100), $"The stream ended {sinceCancel.Elapsed.TotalMilliseconds:F0} ms after cancellation.");
    }

    [Fact]
    public async Task InvokeAsync_ThreeSyncLambdasUnobserved_AllocatesNothingAfterWarmUp()
    {
        var chain = Runnable.Lambda((int x) => x + 1).Pipe(x => x * 2).Pipe(x => x - 3);
        var ct = Ct;
        for (var i = 0; i < 200; i++)
        {
            await chain.InvokeAsync(i, null, ct);
        }

        var sum = 0L;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            sum += await chain.InvokeAsync(i, null, ct);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0L, allocated);
        Assert.Equal(Enumerable.Range(0, 1000).Sum(i => (long)(((i + 1) * 2) - 3)), sum);
    }

    private static async Task<(int Received, TimeSpan Elapsed)> CancelAfterThreeChunksAsync<T>(Func<CancellationTokenSource, IAsyncEnumerable<T>> start)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var received = 0;
        Stopwatch? sinceCancel = null;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var chunk in start(cts))
            {
                if (++received == 3)
                {
                    sinceCancel = Stopwatch.StartNew();
                    await cts.CancelAsync();
                }
            }
        });

        Assert.NotNull(sinceCancel);
        return (received, sinceCancel.Elapsed);
    }

    private static async IAsyncEnumerable<int> Forever(bool honorToken, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; ; i++)
        {
            if (honorToken)
            {
                await Task.Delay(10, cancellationToken);
            }
            else
            {
                await Task.Delay(10, CancellationToken.None);
            }

            yield return i;
        }
    }

    private static async IAsyncEnumerable<T> Chunks<T>(params T[] chunks)
    {
        foreach (var chunk in chunks)
        {
            await Task.Yield();
            yield return chunk;
        }
    }

    private static void InterlockedMax(ref int location, int value)
    {
        var current = Volatile.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
