namespace Chains.Runnables;

/// <summary>Runs two steps on the same input at the same time and combines their outputs.</summary>
internal sealed class RunnableParallel<TIn, T1, T2, TOut>(Runnable<TIn, T1> first, Runnable<TIn, T2> second, Func<T1, T2, TOut> combine) : Runnable<TIn, TOut>
{
    public override string Name => "Parallel";

    protected internal override async ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var failure = new FirstFailure(cts);
        var a = Run(first, input, context, failure);
        var b = Run(second, input, context, failure);
        await Task.WhenAll(a, b).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        failure.ThrowIfAny(a, b);
        return combine(await a, await b);
    }

    internal static Task<T> Run<T>(Runnable<TIn, T> step, TIn input, RunContext context, FirstFailure failure)
    {
        return RunAsync();

        async Task<T> RunAsync()
        {
            try
            {
                return await step.InvokeInContextAsync(input, context, failure.Token);
            }
            catch (Exception ex)
            {
                // One failed branch cancels its siblings; the original exception still surfaces to the caller.
                await failure.RecordAsync(ex);
                throw;
            }
        }
    }
}

/// <summary>Remembers the branch failure that came first in time, and cancels the other branches when it happens.</summary>
internal sealed class FirstFailure(CancellationTokenSource cancellation)
{
    private Exception? _first;

    public CancellationToken Token => cancellation.Token;

    public async Task RecordAsync(Exception error)
    {
        // A cancellation seen after the branches were cancelled is a consequence, not a cause.
        if (error is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            Interlocked.CompareExchange(ref _first, error, null);
        }

        await cancellation.CancelAsync();
    }

    /// <summary>Rethrows the failure that cancelled the other branches rather than anything its cancellation caused.</summary>
    public void ThrowIfAny(params ReadOnlySpan<Task> tasks)
    {
        if (Volatile.Read(ref _first) is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }

        Task? cancelled = null;
        foreach (var task in tasks)
        {
            if (task.IsFaulted)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(task.Exception!.InnerException!);
            }

            cancelled ??= task.IsCanceled ? task : null;
        }

        cancelled?.GetAwaiter().GetResult();
    }
}

/// <summary>Runs three steps on the same input at the same time and combines their outputs.</summary>
internal sealed class RunnableParallel<TIn, T1, T2, T3, TOut>(Runnable<TIn, T1> first, Runnable<TIn, T2> second, Runnable<TIn, T3> third, Func<T1, T2, T3, TOut> combine) : Runnable<TIn, TOut>
{
    public override string Name => "Parallel";

    protected internal override async ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var failure = new FirstFailure(cts);
        var a = RunnableParallel<TIn, T1, T2, TOut>.Run(first, input, context, failure);
        var b = RunnableParallel<TIn, T1, T2, TOut>.Run(second, input, context, failure);
        var c = RunnableParallel<TIn, T1, T2, TOut>.Run(third, input, context, failure);
        await Task.WhenAll(a, b, c).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        failure.ThrowIfAny(a, b, c);
        return combine(await a, await b, await c);
    }
}

/// <summary>Runs four steps on the same input at the same time and combines their outputs.</summary>
internal sealed class RunnableParallel<TIn, T1, T2, T3, T4, TOut>(Runnable<TIn, T1> first, Runnable<TIn, T2> second, Runnable<TIn, T3> third, Runnable<TIn, T4> fourth, Func<T1, T2, T3, T4, TOut> combine) : Runnable<TIn, TOut>
{
    public override string Name => "Parallel";

    protected internal override async ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var failure = new FirstFailure(cts);
        var a = RunnableParallel<TIn, T1, T2, TOut>.Run(first, input, context, failure);
        var b = RunnableParallel<TIn, T1, T2, TOut>.Run(second, input, context, failure);
        var c = RunnableParallel<TIn, T1, T2, TOut>.Run(third, input, context, failure);
        var d = RunnableParallel<TIn, T1, T2, TOut>.Run(fourth, input, context, failure);
        await Task.WhenAll(a, b, c, d).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        failure.ThrowIfAny(a, b, c, d);
        return combine(await a, await b, await c, await d);
    }
}
