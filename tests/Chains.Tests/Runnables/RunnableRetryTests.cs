using System.Runtime.CompilerServices;
using Chains.Runnables;

namespace Chains.Tests.Runnables;

public sealed class RunnableRetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_FailsTwice_WaitsExponentialDelaysOnTimeProviderThenSucceeds()
    {
        var time = new RecordingTimeProvider();
        var attempts = 0;
        var step = Runnable.Lambda((int x) => Interlocked.Increment(ref attempts) < 3 ? throw new InvalidOperationException("flaky") : x * 2)
            .WithRetry(new RetryOptions { Jitter = 0, TimeProvider = time });

        var run = step.InvokeAsync(21, cancellationToken: Ct).AsTask();

        Assert.Equal(TimeSpan.FromMilliseconds(500), await time.NextTimerAsync(Ct));
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(1, Volatile.Read(ref attempts));
        Assert.False(run.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(1000), await time.NextTimerAsync(Ct));
        Assert.Equal(2, Volatile.Read(ref attempts));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(2, Volatile.Read(ref attempts));
        Assert.False(run.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(42, await run.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task InvokeAsync_NoRetryTimeProvider_UsesTheRunsTimeProvider()
    {
        var time = new RecordingTimeProvider();
        var attempts = 0;
        var step = Runnable.Lambda((int x) => Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException() : x)
            .WithRetry(new RetryOptions { Jitter = 0, InitialDelay = TimeSpan.FromSeconds(2) });

        var run = step.InvokeAsync(7, new RunOptions { TimeProvider = time }, Ct).AsTask();

        Assert.Equal(TimeSpan.FromSeconds(2), await time.NextTimerAsync(Ct));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(7, await run.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task InvokeAsync_AlwaysFails_ThrowsLastFailureAfterMaxAttempts()
    {
        var attempts = 0;
        var step = Runnable.Lambda<int, int>(_ => throw new InvalidOperationException($"attempt {++attempts}"))
            .WithRetry(new RetryOptions { MaxAttempts = 4, InitialDelay = TimeSpan.Zero });

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await step.InvokeAsync(1, cancellationToken: Ct));

        Assert.Equal("attempt 4", thrown.Message);
        Assert.Equal(4, attempts);
    }

    [Fact]
    public async Task InvokeAsync_PredicateRejectsException_DoesNotRetry()
    {
        var attempts = 0;
        var step = Runnable.Lambda<int, int>(_ =>
            {
                attempts++;
                throw new InvalidOperationException();
            })
            .WithRetry(new RetryOptions { InitialDelay = TimeSpan.Zero, ShouldRetry = ex => ex is TimeoutException });

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await step.InvokeAsync(1, cancellationToken: Ct));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task InvokeAsync_PredicateAcceptsException_Retries()
    {
        var attempts = 0;
        var step = Runnable.Lambda((int x) => ++attempts < 3 ? throw new TimeoutException() : x)
            .WithRetry(new RetryOptions { InitialDelay = TimeSpan.Zero, ShouldRetry = ex => ex is TimeoutException });

        Assert.Equal(5, await step.InvokeAsync(5, cancellationToken: Ct));
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task InvokeAsync_DefaultPredicate_DoesNotRetryArgumentErrors()
    {
        var attempts = 0;
        var step = Runnable.Lambda<int, int>(_ =>
        {
            attempts++;
            throw new ArgumentException("bad input");
        }).WithRetry(3);

        await Assert.ThrowsAsync<ArgumentException>(async () => await step.InvokeAsync(1, cancellationToken: Ct));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task InvokeAsync_CancelledDuringDelay_ThrowsOperationCanceled()
    {
        var time = new RecordingTimeProvider();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var step = Runnable.Lambda<int, int>(_ => throw new InvalidOperationException()).WithRetry(new RetryOptions { TimeProvider = time });

        var run = step.InvokeAsync(1, cancellationToken: cts.Token).AsTask();
        await time.NextTimerAsync(Ct);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task StreamAsync_FailsBeforeFirstChunk_Retries()
    {
        var attempts = 0;
        var step = Runnable.Streaming<int, string>((_, _, ct) => Stream(++attempts == 1, failAfterFirst: false, ct))
            .WithRetry(new RetryOptions { InitialDelay = TimeSpan.Zero });

        Assert.Equal(["a", "b"], await step.StreamAsync(1, cancellationToken: Ct).ToListAsync(Ct));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task StreamAsync_FailsAfterFirstChunk_DoesNotRetry()
    {
        var attempts = 0;
        var received = new List<string>();
        var step = Runnable.Streaming<int, string>((_, _, ct) =>
            {
                attempts++;
                return Stream(failBeforeFirst: false, failAfterFirst: true, ct);
            })
            .WithRetry(new RetryOptions { InitialDelay = TimeSpan.Zero });

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var chunk in step.StreamAsync(1, cancellationToken: Ct))
            {
                received.Add(chunk);
            }
        });

        Assert.Equal(["a"], received);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public void WithRetry_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("step", () => ((Runnable<int, int>)null!).WithRetry());
        Assert.Throws<ArgumentOutOfRangeException>("MaxAttempts", () => Runnable.Lambda((int x) => x).WithRetry(0));
    }

    private static async IAsyncEnumerable<string> Stream(bool failBeforeFirst, bool failAfterFirst, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        if (failBeforeFirst)
        {
            throw new InvalidOperationException("before first chunk");
        }

        yield return "a";
        if (failAfterFirst)
        {
            throw new InvalidOperationException("after first chunk");
        }

        yield return "b";
    }
}
