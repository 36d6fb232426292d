using System.Runtime.CompilerServices;
using Chains.Runnables;

namespace Chains.Tests.Runnables;

public sealed class RunnableTimeoutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_FinishesInTime_ReturnsOutput()
    {
        var time = new RecordingTimeProvider();

        Assert.Equal(2, await Runnable.Lambda((int x) => x * 2).WithTimeout(TimeSpan.FromSeconds(1), time).InvokeAsync(1, cancellationToken: Ct));
    }

    [Fact]
    public async Task InvokeAsync_StepTooSlow_ThrowsTimeoutNamingTheStep()
    {
        var time = new RecordingTimeProvider();
        var step = Slow("slow-step").WithTimeout(TimeSpan.FromSeconds(1), time);

        var run = step.InvokeAsync(1, cancellationToken: Ct).AsTask();
        Assert.Equal(TimeSpan.FromSeconds(1), await time.NextTimerAsync(Ct));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => run.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Contains("'slow-step'", thrown.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(thrown.InnerException);
    }

    [Fact]
    public async Task InvokeAsync_NoTimeProviderGiven_UsesTheRunsTimeProvider()
    {
        var time = new RecordingTimeProvider();
        var run = Slow("slow").WithTimeout(TimeSpan.FromSeconds(5)).InvokeAsync(1, new RunOptions { TimeProvider = time }, Ct).AsTask();

        Assert.Equal(TimeSpan.FromSeconds(5), await time.NextTimerAsync(Ct));
        time.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<TimeoutException>(() => run.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task InvokeAsync_CallerCancels_ThrowsOperationCanceledNotTimeout()
    {
        var time = new RecordingTimeProvider();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = Slow("slow").WithTimeout(TimeSpan.FromSeconds(1), time).InvokeAsync(1, cancellationToken: cts.Token).AsTask();

        await cts.CancelAsync();

        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.IsNotType<TimeoutException>(thrown.InnerException);
    }

    [Fact]
    public async Task StreamAsync_StreamTooSlow_ThrowsTimeoutAfterEarlierChunks()
    {
        var time = new RecordingTimeProvider();
        var step = Runnable.Streaming<int, string>((_, _, ct) => OneThenHang(ct), "hanging").WithTimeout(TimeSpan.FromSeconds(2), time);
        var received = new List<string>();
        var firstReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = Task.Run(
            async () =>
            {
                await foreach (var chunk in step.StreamAsync(1, cancellationToken: Ct))
                {
                    received.Add(chunk);
                    firstReceived.TrySetResult();
                }
            },
            Ct);
        Assert.Equal(TimeSpan.FromSeconds(2), await time.NextTimerAsync(Ct));
        await firstReceived.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        time.Advance(TimeSpan.FromSeconds(2));

        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => run.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Contains("'hanging'", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(["first"], received);
    }

    [Fact]
    public void WithTimeout_NotPositive_ThrowsArgumentOutOfRange()
    {
        var step = Runnable.Lambda((int x) => x);

        Assert.Throws<ArgumentOutOfRangeException>("timeout", () => step.WithTimeout(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>("timeout", () => step.WithTimeout(TimeSpan.FromSeconds(-1)));
        Assert.NotNull(step.WithTimeout(Timeout.InfiniteTimeSpan));
    }

    private static Runnable<int, int> Slow(string name)
        => Runnable.Lambda<int, int>(
            async (x, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return x;
            },
            name);

    private static async IAsyncEnumerable<string> OneThenHang([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return "first";
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield return "never";
    }
}
