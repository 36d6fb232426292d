using Chains.Runnables;

namespace Chains.Tests.Runnables;

public sealed class RunnableFallbacksTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_PrimarySucceeds_DoesNotRunFallbacks()
    {
        var ran = new List<string>();
        var step = Step("primary", ran, fail: false).WithFallbacks([Step("fallback", ran, fail: false)]);

        Assert.Equal("primary", await step.InvokeAsync(0, cancellationToken: Ct));
        Assert.Equal(["primary"], ran);
    }

    [Fact]
    public async Task InvokeAsync_PrimaryAndFirstFallbackFail_TriesInOrderAndReturnsFirstSuccess()
    {
        var ran = new List<string>();
        var step = Step("primary", ran, fail: true).WithFallbacks([Step("one", ran, fail: true), Step("two", ran, fail: false), Step("three", ran, fail: false)]);

        Assert.Equal("two", await step.InvokeAsync(0, cancellationToken: Ct));
        Assert.Equal(["primary", "one", "two"], ran);
    }

    [Fact]
    public async Task InvokeAsync_AllFail_ThrowsExhaustedWithPrimaryFailureInside()
    {
        var primaryError = new InvalidOperationException("primary down");
        var step = Runnable.Lambda<int, string>(_ => throw primaryError, "primary")
            .WithFallbacks(Runnable.Lambda<int, string>(_ => throw new InvalidOperationException("fallback down")));

        var thrown = await Assert.ThrowsAsync<RunnableFallbacksExhaustedException>(async () => await step.InvokeAsync(0, cancellationToken: Ct));

        Assert.Same(primaryError, thrown.InnerException);
        Assert.Contains("primary", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("primary down", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_PredicateRejectsFailure_RethrowsWithoutFallingBack()
    {
        var ran = new List<string>();
        var step = Runnable.Lambda<int, string>(_ => throw new FormatException("not retryable"))
            .WithFallbacks([Step("fallback", ran, fail: false)], ex => ex is TimeoutException);

        await Assert.ThrowsAsync<FormatException>(async () => await step.InvokeAsync(0, cancellationToken: Ct));
        Assert.Empty(ran);
    }

    [Fact]
    public async Task InvokeAsync_PredicateAcceptsFailure_FallsBack()
    {
        var ran = new List<string>();
        var step = Runnable.Lambda<int, string>(_ => throw new TimeoutException())
            .WithFallbacks([Step("fallback", ran, fail: false)], ex => ex is TimeoutException);

        Assert.Equal("fallback", await step.InvokeAsync(0, cancellationToken: Ct));
    }

    [Fact]
    public async Task InvokeAsync_Cancelled_DoesNotFallBack()
    {
        var ran = new List<string>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var step = Runnable.Lambda<int, string>(async (_, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return "unreachable";
        }).WithFallbacks([Step("fallback", ran, fail: false)]);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await step.InvokeAsync(0, cancellationToken: cts.Token));
        Assert.Empty(ran);
    }

    [Fact]
    public void WithFallbacks_InvalidArguments_Throw()
    {
        var step = Runnable.Lambda((int x) => x);

        Assert.Throws<ArgumentException>("fallbacks", () => step.WithFallbacks([]));
        Assert.Throws<ArgumentException>("fallbacks", () => step.WithFallbacks([null!]));
        Assert.Throws<ArgumentNullException>("fallback", () => step.WithFallbacks((Runnable<int, int>)null!));
        Assert.Throws<ArgumentNullException>("step", () => ((Runnable<int, int>)null!).WithFallbacks([step]));
    }

    private static Runnable<int, string> Step(string name, List<string> ran, bool fail)
        => Runnable.Lambda(
            (int _) =>
            {
                ran.Add(name);
                return fail ? throw new InvalidOperationException(name + " failed") : name;
            },
            name);
}
