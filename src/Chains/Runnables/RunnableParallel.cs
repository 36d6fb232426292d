namespace Chains.Runnables;

/// <summary>Runs two steps on the same input at the same time and combines their outputs.</summary>
internal sealed class RunnableParallel<TIn, T1, T2, TOut>(Runnable<TIn, T1> first, Runnable<TIn, T2> second, Func<T1, T2, TOut> combine) : Runnable<TIn, TOut>
{
    public override string Name => "Parallel";

    protected internal override async ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var a = Run(first, input, context, cts);
        var b = Run(second, input, context, cts);
        await Task.WhenAll(a, b).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        ThrowFirstFailure(a, b);
        return combine(await a, await b);
    }

    /// <summary>Rethrows the failure that cancelled the other branches rather than a cancellation it caused.</summary>
    internal static void ThrowFirstFailure(params ReadOnlySpan<Task> tasks)
    {
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

    internal static Task<T> Run<T>(Runnable<TIn, T> step, TIn input, RunContext context, CancellationTokenSource cts)
    {
        return RunAsync();

        async Task<T> RunAsync()
        {
            try
            {
                return await step.InvokeInContextAsync(input, context, cts.Token);
            }
            catch
            {
                // One failed branch cancels its siblings; the original exception still surfaces to the caller.
                await cts.CancelAsync();
                throw;
            }
        }
    }
}

/// <summary>Runs three steps on the same input at the same time and combines their outputs.</summary>
internal sealed class RunnableParallel<TIn, T1, T2, T3, TOut>(Runnable<TIn, T1> first, Runnable<TIn, T2> second, Runnable<TIn, T3> third, Func<T1, T2, T3, TOut> combine) : Runnable<TIn, TOut>
{
    public override string Name => "Parallel";

    protected internal override async ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var a = RunnableParallel<TIn, T1, T2, TOut>.Run(first, input, context, cts);
        var b = RunnableParallel<TIn, T1, T2, TOut>.Run(second, input, context, cts);
        var c = RunnableParallel<TIn, T1, T2, TOut>.Run(third, input, context, cts);
        await Task.WhenAll(a, b, c).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        RunnableParallel<TIn, T1, T2, TOut>.ThrowFirstFailure(a, b, c);
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
        var a = RunnableParallel<TIn, T1, T2, TOut>.Run(first, input, context, cts);
        var b = RunnableParallel<TIn, T1, T2, TOut>.Run(second, input, context, cts);
        var c = RunnableParallel<TIn, T1, T2, TOut>.Run(third, input, context, cts);
        var d = RunnableParallel<TIn, T1, T2, TOut>.Run(fourth, input, context, cts);
        await Task.WhenAll(a, b, c, d).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        RunnableParallel<TIn, T1, T2, TOut>.ThrowFirstFailure(a, b, c, d);
        return combine(await a, await b, await c, await d);
    }
}
