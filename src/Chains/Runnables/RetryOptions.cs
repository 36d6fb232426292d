namespace Chains.Runnables;

/// <summary>How <see cref="RunnableExtensions.WithRetry{TIn,TOut}(Runnable{TIn,TOut},RetryOptions?)"/> retries a failing step:
/// up to <see cref="MaxAttempts"/> attempts with exponential back-off and jitter, for the exceptions <see cref="ShouldRetry"/> accepts.</summary>
public sealed record RetryOptions
{
    private readonly int _maxAttempts = 3;
    private readonly TimeSpan _initialDelay = TimeSpan.FromMilliseconds(500);
    private readonly TimeSpan _maxDelay = TimeSpan.FromSeconds(30);
    private readonly double _backoffMultiplier = 2;
    private readonly double _jitter = 0.25;

    /// <summary>Gets the total number of attempts, the first included (default 3).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxAttempts
    {
        get => _maxAttempts;
        init => _maxAttempts = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxAttempts), value, "MaxAttempts must be at least 1 (1 means no retry).");
    }

    /// <summary>Gets the delay before the second attempt (default 500 ms).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan InitialDelay
    {
        get => _initialDelay;
        init => _initialDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(InitialDelay), value, "InitialDelay must not be negative.");
    }

    /// <summary>Gets the factor by which the delay grows after each failed attempt (default 2).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1 or not a number.</exception>
    public double BackoffMultiplier
    {
        get => _backoffMultiplier;
        init => _backoffMultiplier = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BackoffMultiplier), value, "BackoffMultiplier must be at least 1.");
    }

    /// <summary>Gets the upper bound of any one delay, jitter included (default 30 s).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan MaxDelay
    {
        get => _maxDelay;
        init => _maxDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(MaxDelay), value, "MaxDelay must not be negative.");
    }

    /// <summary>Gets the relative jitter applied to each delay: 0.25 spreads a 1 s delay over 0.75–1.25 s (default 0.25).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0–1.</exception>
    public double Jitter
    {
        get => _jitter;
        init => _jitter = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Jitter), value, "Jitter must be between 0 and 1.");
    }

    /// <summary>Gets the predicate that decides whether an exception is worth another attempt. The default retries
    /// everything except cancellation and argument errors (which would fail the same way again).</summary>
    public Func<Exception, bool> ShouldRetry { get; init; } = static ex => ex is not (OperationCanceledException or ArgumentException);

    /// <summary>Gets the time provider used for the delays; <see langword="null"/> uses the run's.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Computes the delay after the failed attempt number <paramref name="attempt"/> (1-based).</summary>
    /// <param name="attempt">The attempt that just failed.</param>
    /// <param name="random">A value in [0, 1) that places the delay inside the jitter range.</param>
    /// <returns>The delay, never above <see cref="MaxDelay"/>.</returns>
    public TimeSpan GetDelay(int attempt, double random)
    {
        var baseDelay = InitialDelay.TotalMilliseconds * Math.Pow(BackoffMultiplier, Math.Max(0, attempt - 1));
        var jittered = baseDelay * (1 - Jitter + (2 * Jitter * random));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxDelay.TotalMilliseconds));
    }
}
