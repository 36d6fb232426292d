using Chains.Runnables;

namespace Chains.Tests.Runnables;

public sealed class RetryOptionsTests
{
    [Fact]
    public void Defaults_AreThreeAttempts500MsDoubling25PercentJitter()
    {
        var options = new RetryOptions();

        Assert.Equal(3, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.InitialDelay);
        Assert.Equal(2, options.BackoffMultiplier);
        Assert.Equal(0.25, options.Jitter);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxDelay);
        Assert.Null(options.TimeProvider);
        Assert.True(options.ShouldRetry(new InvalidOperationException()));
        Assert.False(options.ShouldRetry(new OperationCanceledException()));
        Assert.False(options.ShouldRetry(new ArgumentNullException("x")));
    }

    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1000)]
    [InlineData(3, 2000)]
    [InlineData(4, 4000)]
    public void GetDelay_NoJitter_GrowsExponentially(int attempt, int expectedMs)
        => Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), new RetryOptions { Jitter = 0 }.GetDelay(attempt, 0.7));

    [Theory]
    [InlineData(0.0, 750)]
    [InlineData(0.5, 1000)]
    [InlineData(0.999999, 1250)]
    public void GetDelay_Jitter_SpreadsAroundTheBaseDelay(double random, int expectedMs)
        => Assert.Equal(expectedMs, new RetryOptions().GetDelay(2, random).TotalMilliseconds, 0.01);

    [Fact]
    public void GetDelay_ManyAttempts_CappedAtMaxDelay()
    {
        var options = new RetryOptions { MaxDelay = TimeSpan.FromSeconds(3) };

        Assert.Equal(TimeSpan.FromSeconds(3), options.GetDelay(50, 0.9));
        Assert.Equal(TimeSpan.FromSeconds(3), options.GetDelay(5000, 0.9));
    }

    [Fact]
    public void Init_InvalidValues_ThrowArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>("MaxAttempts", () => new RetryOptions { MaxAttempts = 0 });
        Assert.Throws<ArgumentOutOfRangeException>("InitialDelay", () => new RetryOptions { InitialDelay = TimeSpan.FromMilliseconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>("BackoffMultiplier", () => new RetryOptions { BackoffMultiplier = 0.5 });
        Assert.Throws<ArgumentOutOfRangeException>("BackoffMultiplier", () => new RetryOptions { BackoffMultiplier = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>("MaxDelay", () => new RetryOptions { MaxDelay = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>("Jitter", () => new RetryOptions { Jitter = 1.5 });
        Assert.Throws<ArgumentOutOfRangeException>("Jitter", () => new RetryOptions { Jitter = double.NaN });
    }
}
