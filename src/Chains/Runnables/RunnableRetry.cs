using System.Runtime.CompilerServices;

namespace Chains.Runnables;

/// <summary>Retries a failing step with exponential back-off and jitter on the run's <see cref="TimeProvider"/>.</summary>
internal sealed class RunnableRetry<TIn, TOut>(Runnable<TIn, TOut> inner, RetryOptions options) : Runnable<TIn, TOut>
{
    public override string Name => "Retry";

    protected internal override async ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await inner.InvokeInContextAsync(input, context, cancellationToken);
            }
            catch (Exception ex) when (attempt < options.MaxAttempts && !cancellationToken.IsCancellationRequested && options.ShouldRetry(ex))
            {
                await DelayAsync(ex, attempt, context, cancellationToken);
            }
        }
    }

    /// <summary>Streams with retry while nothing has been yielded yet; once a chunk is out, a failure is final.</summary>
    protected internal override async IAsyncEnumerable<TOut> StreamCoreAsync(TIn input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var enumerator = inner.StreamInContextAsync(input, context, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var yielded = false;
            try
            {
                while (true)
                {
                    TOut chunk;
                    try
                    {
                        if (!await enumerator.MoveNextAsync())
                        {
                            yield break;
                        }

                        chunk = enumerator.Current;
                    }
                    catch (Exception ex) when (!yielded && attempt < options.MaxAttempts && !cancellationToken.IsCancellationRequested && options.ShouldRetry(ex))
                    {
                        await DelayAsync(ex, attempt, context, cancellationToken);
                        break;
                    }

                    yielded = true;
                    yield return chunk;
                }
            }
            finally
            {
                await enumerator.DisposeAsync();
            }
        }
    }

    private async Task DelayAsync(Exception ex, int attempt, RunContext context, CancellationToken cancellationToken)
    {
        var delay = options.GetDelay(attempt, Random.Shared.NextDouble());
        if (context.Options?.LoggerFactory?.CreateLogger("Chains.Run") is { } logger)
        {
            Log.Retrying(logger, ex, inner.Name, attempt, delay.TotalMilliseconds);
        }

        await Task.Delay(delay, options.TimeProvider ?? context.TimeProvider, cancellationToken);
    }
}

/// <summary>Tries fallback steps in order when the primary step fails.</summary>
internal sealed class RunnableFallbacks<TIn, TOut>(Runnable<TIn, TOut> primary, IReadOnlyList<Runnable<TIn, TOut>> fallbacks, Func<Exception, bool> shouldFallBack) : Runnable<TIn, TOut>
{
    public override string Name => "WithFallbacks";

    protected internal override async ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        Exception? firstError = null;
        for (var i = -1; i < fallbacks.Count; i++)
        {
            var step = i < 0 ? primary : fallbacks[i];
            try
            {
                return await step.InvokeInContextAsync(input, context, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && shouldFallBack(ex))
            {
                firstError ??= ex;
            }
        }

        throw new RunnableFallbacksExhaustedException($"Step '{primary.Name}' and all {fallbacks.Count} fallbacks failed; the primary failure was: {firstError!.Message}", firstError);
    }
}

/// <summary>Fails a step that does not finish within a time limit on the run's <see cref="TimeProvider"/>.</summary>
internal sealed class RunnableTimeout<TIn, TOut>(Runnable<TIn, TOut> inner, TimeSpan timeout, TimeProvider? timeProvider) : Runnable<TIn, TOut>
{
    public override string Name => "Timeout";

    protected internal override async ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        using var timeoutCts = new CancellationTokenSource(timeout, timeProvider ?? context.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        try
        {
            return await inner.InvokeInContextAsync(input, context, linked.Token);
        }
        catch (OperationCanceledException ex) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Step '{inner.Name}' did not finish within {timeout}. Raise the limit passed to WithTimeout or make the step faster.", ex);
        }
    }

    protected internal override async IAsyncEnumerable<TOut> StreamCoreAsync(TIn input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timeoutCts = new CancellationTokenSource(timeout, timeProvider ?? context.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        var enumerator = inner.StreamInContextAsync(input, context, linked.Token).GetAsyncEnumerator(linked.Token);
        try
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (OperationCanceledException ex) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"Step '{inner.Name}' did not finish streaming within {timeout}. Raise the limit passed to WithTimeout.", ex);
                }

                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
    }
}
