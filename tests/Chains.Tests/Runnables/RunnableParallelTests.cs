using Chains.Runnables;
using Chains.Tests.Fakes;

namespace Chains.Tests.Runnables;

public sealed class RunnableParallelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Summary(int Length, string Upper);

    [Fact]
    public async Task InvokeAsync_TwoBranches_ReturnsTuple()
    {
        var both = Runnable.Parallel(Runnable.Lambda((string s) => s.Length), Runnable.Lambda((string s) => s.ToUpperInvariant()));

        var (length, upper) = await both.InvokeAsync("abc", cancellationToken: Ct);

        Assert.Equal(3, length);
        Assert.Equal("ABC", upper);
    }

    [Fact]
    public async Task InvokeAsync_Combine_ReturnsRecord()
    {
        var summary = Runnable.Parallel(Runnable.Lambda((string s) => s.Length), Runnable.Lambda((string s) => s.ToUpperInvariant()), (n, u) => new Summary(n, u));

        Assert.Equal(new Summary(2, "HI"), await summary.InvokeAsync("hi", cancellationToken: Ct));
    }

    [Fact]
    public async Task InvokeAsync_ThreeBranches_ReturnsTuple()
    {
        var three = Runnable.Parallel(Runnable.Lambda((int x) => x + 1), Runnable.Lambda((int x) => x * 2), Runnable.Lambda((int x) => $"{x}"));

        Assert.Equal((4, 6, "3"), await three.InvokeAsync(3, cancellationToken: Ct));
    }

    [Fact]
    public async Task InvokeAsync_FourBranches_Combines()
    {
        var four = Runnable.Parallel(
            Runnable.Lambda((int x) => x + 1),
            Runnable.Lambda((int x) => x * 2),
            Runnable.Lambda((int x) => x - 1),
            Runnable.Lambda((int x) => x * x),
            (a, b, c, d) => new[] { a, b, c, d });

        var result = await four.InvokeAsync(3, cancellationToken: Ct);

        Assert.Equal([4, 6, 2, 9], result);
    }

    [Fact]
    public async Task InvokeAsync_Branches_RunConcurrently()
    {
        // Each branch waits for the other to start: this completes only if both run at once.
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var both = Runnable.Parallel(
            Runnable.Lambda<int, int>(async (x, ct) =>
            {
                firstStarted.SetResult();
                await secondStarted.Task.WaitAsync(ct);
                return x + 1;
            }),
            Runnable.Lambda<int, int>(async (x, ct) =>
            {
                secondStarted.SetResult();
                await firstStarted.Task.WaitAsync(ct);
                return x + 2;
            }));

        var result = await both.InvokeAsync(1, cancellationToken: Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal((2, 3), result);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task InvokeAsync_BranchFails_CancelsSiblingAndThrowsOriginal(bool failingFirst)
    {
        var siblingStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var siblingCancelled = false;
        var boom = new InvalidOperationException("boom");
        var failing = Runnable.Lambda<int, int>(async (_, ct) =>
        {
            await siblingStarted.Task.WaitAsync(ct);
            throw boom;
        });
        var sibling = Runnable.Lambda<int, int>(async (x, ct) =>
        {
            siblingStarted.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
                return x;
            }
            catch (OperationCanceledException)
            {
                siblingCancelled = true;
                throw;
            }
        });
        var both = failingFirst ? Runnable.Parallel(failing, sibling) : Runnable.Parallel(sibling, failing);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await both.InvokeAsync(1, cancellationToken: Ct));

        Assert.Same(boom, thrown);
        Assert.True(siblingCancelled);
    }

    [Fact]
    public async Task InvokeAsync_SiblingTurnsCancellationIntoAnotherError_OriginalStillSurfaces()
    {
        var siblingStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var boom = new InvalidOperationException("boom");
        var sibling = Runnable.Lambda<int, int>(async (x, ct) =>
        {
            siblingStarted.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
                return x;
            }
            catch (OperationCanceledException)
            {
                throw new IOException("aborted because cancelled");
            }
        });
        var failing = Runnable.Lambda<int, int>(async (_, ct) =>
        {
            await siblingStarted.Task.WaitAsync(ct);
            throw boom;
        });

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await Runnable.Parallel(sibling, failing).InvokeAsync(1, cancellationToken: Ct));

        Assert.Same(boom, thrown);
    }

    [Fact]
    public async Task InvokeAsync_RecordBranchFails_CancelsSiblingAndThrowsOriginal()
    {
        var siblingCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var summary = Runnable.Parallel(
            Runnable.Lambda<string, int>(async (s, ct) =>
            {
                await using var registration = ct.Register(() => siblingCancelled.TrySetResult());
                await Task.Delay(Timeout.Infinite, ct);
                return s.Length;
            }),
            Runnable.Lambda<string, string>(async (s, ct) =>
            {
                await Task.Yield();
                throw new FormatException("bad " + s);
            }),
            (n, u) => new Summary(n, u));

        var thrown = await Assert.ThrowsAsync<FormatException>(async () => await summary.InvokeAsync("x", cancellationToken: Ct));

        Assert.Equal("bad x", thrown.Message);
        Assert.True(siblingCancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task InvokeAsync_CallerCancels_ThrowsOperationCanceled()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var both = Runnable.Parallel(
            Runnable.Lambda<int, int>(async (x, ct) =>
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return x;
            }),
            Runnable.Lambda((int x) => x));

        var run = both.InvokeAsync(1, cancellationToken: cts.Token).AsTask();
        await started.Task.WaitAsync(Ct);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task InvokeAsync_WithSink_BranchesAreChildrenOfParallel()
    {
        var sink = new CollectingSink();
        var both = Runnable.Parallel(Runnable.Lambda((int x) => x + 1, "left"), Runnable.Lambda((int x) => x * 2, "right"));

        await both.InvokeAsync(5, new RunOptions { EventSink = sink }, Ct);

        var starts = sink.Events.OfType<RunStartedEvent>().ToDictionary(e => e.Name);
        Assert.Null(starts["Parallel"].ParentRunId);
        Assert.Equal(starts["Parallel"].RunId, starts["left"].ParentRunId);
        Assert.Equal(starts["Parallel"].RunId, starts["right"].ParentRunId);
        Assert.Equal((6, 10), sink.Events.OfType<RunCompletedEvent>().Single(e => e.Name == "Parallel").Output);
    }

    [Fact]
    public void Parallel_NullArgument_ThrowsArgumentNull()
    {
        var step = Runnable.Lambda((int x) => x);

        Assert.Throws<ArgumentNullException>("first", () => Runnable.Parallel((Runnable<int, int>)null!, step));
        Assert.Throws<ArgumentNullException>("second", () => Runnable.Parallel(step, (Runnable<int, int>)null!));
        Assert.Throws<ArgumentNullException>("combine", () => Runnable.Parallel(step, step, (Func<int, int, int>)null!));
    }
}
