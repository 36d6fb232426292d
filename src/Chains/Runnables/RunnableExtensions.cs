namespace Chains.Runnables;

/// <summary>Composition and resilience operators for runnables: <c>Pipe</c>, <c>Map</c>, <c>Assign</c>,
/// <c>WithRetry</c>, <c>WithFallbacks</c>, <c>WithTimeout</c>, <c>WithConfig</c>, <c>WithName</c>.</summary>
public static class RunnableExtensions
{
    /// <summary>Runs <paramref name="next"/> on the output of <paramref name="first"/>. Compiles only when the output type
    /// of the first step is the input type of the next.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TMid">The intermediate type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="first">The first step.</param>
    /// <param name="next">The step run on the first step's output.</param>
    /// <returns>The sequence. Chained pipes form one sequence whose steps report as siblings.</returns>
    /// <exception cref="ArgumentNullException">A step is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> Pipe<TIn, TMid, TOut>(this Runnable<TIn, TMid> first, Runnable<TMid, TOut> next)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(next);
        return new RunnableSequence<TIn, TMid, TOut>(first, next);
    }

    /// <summary>Runs a synchronous function on the output of <paramref name="first"/>.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TMid">The intermediate type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="first">The first step.</param>
    /// <param name="next">The function.</param>
    /// <param name="name">The function step's name in events.</param>
    /// <returns>The sequence.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> Pipe<TIn, TMid, TOut>(this Runnable<TIn, TMid> first, Func<TMid, TOut> next, string? name = null)
        => first.Pipe(Runnable.Lambda(next, name));

    /// <summary>Runs an asynchronous function on the output of <paramref name="first"/>.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TMid">The intermediate type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="first">The first step.</param>
    /// <param name="next">The function.</param>
    /// <param name="name">The function step's name in events.</param>
    /// <returns>The sequence.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> Pipe<TIn, TMid, TOut>(this Runnable<TIn, TMid> first, Func<TMid, CancellationToken, Task<TOut>> next, string? name = null)
        => first.Pipe(Runnable.Lambda(next, name));

    /// <summary>Keeps the step's output and merges a value computed from it (see <see cref="Runnable.Assign{TIn,TValue,TOut}"/>).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TMid">The step's output type.</typeparam>
    /// <typeparam name="TValue">The computed value's type.</typeparam>
    /// <typeparam name="TOut">The merged output type.</typeparam>
    /// <param name="step">The step.</param>
    /// <param name="compute">Computes the value from the step's output.</param>
    /// <param name="merge">Builds the output.</param>
    /// <returns>The sequence.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> Assign<TIn, TMid, TValue, TOut>(this Runnable<TIn, TMid> step, Runnable<TMid, TValue> compute, Func<TMid, TValue, TOut> merge)
        => step.Pipe(Runnable.Assign(compute, merge));

    /// <summary>Makes a step that runs <paramref name="step"/> on every item of a list, at most
    /// <see cref="RunOptions.MaxConcurrency"/> at a time, keeping the order.</summary>
    /// <typeparam name="TIn">The item input type.</typeparam>
    /// <typeparam name="TOut">The item output type.</typeparam>
    /// <param name="step">The step applied to each item.</param>
    /// <returns>The list step. The first failing item fails it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="step"/> is <see langword="null"/>.</exception>
    public static Runnable<IReadOnlyList<TIn>, IReadOnlyList<TOut>> Map<TIn, TOut>(this Runnable<TIn, TOut> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return new RunnableMap<TIn, TOut>(step);
    }

    /// <summary>Retries the step when it fails, with exponential back-off and jitter.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="step">The step.</param>
    /// <param name="options">Attempts, delays and the retry predicate; <see langword="null"/> for the defaults
    /// (3 attempts, 500 ms doubling, 25% jitter).</param>
    /// <returns>The retrying step. While streaming, a failure after the first chunk is not retried.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="step"/> is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> WithRetry<TIn, TOut>(this Runnable<TIn, TOut> step, RetryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        return new RunnableRetry<TIn, TOut>(step, options ?? new RetryOptions());
    }

    /// <summary>Retries the step up to <paramref name="maxAttempts"/> times in all with default back-off.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="step">The step.</param>
    /// <param name="maxAttempts">Total attempts, the first included.</param>
    /// <returns>The retrying step.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is less than 1.</exception>
    public static Runnable<TIn, TOut> WithRetry<TIn, TOut>(this Runnable<TIn, TOut> step, int maxAttempts)
        => step.WithRetry(new RetryOptions { MaxAttempts = maxAttempts });

    /// <summary>Runs the fallbacks in order when the step fails, returning the first success.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="step">The primary step.</param>
    /// <param name="fallbacks">The fallbacks, tried in order.</param>
    /// <param name="shouldFallBack">Which failures move on to the next fallback; default: all but cancellation.</param>
    /// <returns>The step. When all fail, a <see cref="RunnableFallbacksExhaustedException"/> wraps the primary failure.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="fallbacks"/> is empty or holds <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> WithFallbacks<TIn, TOut>(this Runnable<TIn, TOut> step, IReadOnlyList<Runnable<TIn, TOut>> fallbacks, Func<Exception, bool>? shouldFallBack = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(fallbacks);
        if (fallbacks.Count == 0 || fallbacks.Any(f => f is null))
        {
            throw new ArgumentException("Give at least one fallback step and no null entries.", nameof(fallbacks));
        }

        return new RunnableFallbacks<TIn, TOut>(step, fallbacks.ToArray(), shouldFallBack ?? (static ex => ex is not OperationCanceledException));
    }

    /// <summary>Runs the fallback when the step fails.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="step">The primary step.</param>
    /// <param name="fallback">The fallback.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> WithFallbacks<TIn, TOut>(this Runnable<TIn, TOut> step, Runnable<TIn, TOut> fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        return step.WithFallbacks([fallback]);
    }

    /// <summary>Fails the step with a <see cref="TimeoutException"/> when it runs longer than <paramref name="timeout"/>
    /// (the step is cancelled).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="step">The step.</param>
    /// <param name="timeout">The limit; for streaming, the limit for the whole stream.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> uses the run's.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="step"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    public static Runnable<TIn, TOut> WithTimeout<TIn, TOut>(this Runnable<TIn, TOut> step, TimeSpan timeout, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive (or Timeout.InfiniteTimeSpan).");
        }

        return new RunnableTimeout<TIn, TOut>(step, timeout, timeProvider);
    }

    /// <summary>Gives the step its own named run with extra tags and metadata, inherited by its nested steps.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="step">The step.</param>
    /// <param name="tags">Tags to add.</param>
    /// <param name="metadata">Metadata to add (overrides inherited entries with the same key).</param>
    /// <param name="name">The name for the step's run; default: the step's name.</param>
    /// <returns>The configured step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="step"/> is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> WithConfig<TIn, TOut>(this Runnable<TIn, TOut> step, IReadOnlyList<string>? tags = null, IReadOnlyDictionary<string, object?>? metadata = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        return new RunnableWithConfig<TIn, TOut>(step, name, tags?.ToArray(), metadata is null ? null : new Dictionary<string, object?>(metadata));
    }

    /// <summary>Gives the step (e.g. a whole chain) its own run under <paramref name="name"/>.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="step">The step.</param>
    /// <param name="name">The name shown in events, spans and logs.</param>
    /// <returns>The named step.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or whitespace.</exception>
    public static Runnable<TIn, TOut> WithName<TIn, TOut>(this Runnable<TIn, TOut> step, string name)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new RunnableWithConfig<TIn, TOut>(step, name, null, null);
    }
}
