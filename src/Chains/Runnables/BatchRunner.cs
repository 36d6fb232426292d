namespace Chains.Runnables;

/// <summary>Runs a step over many inputs with a fixed number of workers, keeping input order.</summary>
internal static class BatchRunner<TIn, TOut>
{
    public static async Task<RunResult<TOut>[]> RunAsync(Runnable<TIn, TOut> step, IReadOnlyList<TIn> inputs, RunContext context, bool collectErrors, CancellationToken cancellationToken)
    {
        var results = new RunResult<TOut>[inputs.Count];
        if (inputs.Count == 0)
        {
            return results;
        }

        var workers = Math.Min(context.MaxConcurrency, inputs.Count);
        if (workers == 1)
        {
            await RunWorkerAsync(new State(step, inputs, results, context, collectErrors, null, cancellationToken));
            return results;
        }

        using var cts = collectErrors ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var state = new State(step, inputs, results, context, collectErrors, cts, cts?.Token ?? cancellationToken);
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            tasks[w] = RunWorkerAsync(state);
        }

        try
        {
            await Task.WhenAll(tasks);
        }
        catch when (state.FirstError is not null)
        {
            // Rethrow the failure that stopped the batch rather than the cancellations it caused.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(state.FirstError);
        }

        return results;
    }

    private static async Task RunWorkerAsync(State state)
    {
        while (true)
        {
            var index = Interlocked.Increment(ref state.Next) - 1;
            if (index >= state.Inputs.Count)
            {
                return;
            }

            if (state.CollectErrors)
            {
                try
                {
                    state.CancellationToken.ThrowIfCancellationRequested();
                    state.Results[index] = RunResult<TOut>.Success(await state.Step.InvokeInContextAsync(state.Inputs[index], state.Context, state.CancellationToken));
                }
                catch (Exception ex)
                {
                    state.Results[index] = RunResult<TOut>.Failure(ex);
                }
            }
            else
            {
                try
                {
                    state.CancellationToken.ThrowIfCancellationRequested();
                    state.Results[index] = RunResult<TOut>.Success(await state.Step.InvokeInContextAsync(state.Inputs[index], state.Context, state.CancellationToken));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || state.FirstError is null)
                {
                    if (Interlocked.CompareExchange(ref state.FirstError, ex, null) is null && state.Cancellation is not null)
                    {
                        await state.Cancellation.CancelAsync();
                    }

                    throw;
                }
            }
        }
    }

    private sealed class State(Runnable<TIn, TOut> step, IReadOnlyList<TIn> inputs, RunResult<TOut>[] results, RunContext context, bool collectErrors, CancellationTokenSource? cancellation, CancellationToken cancellationToken)
    {
        public readonly Runnable<TIn, TOut> Step = step;
        public readonly IReadOnlyList<TIn> Inputs = inputs;
        public readonly RunResult<TOut>[] Results = results;
        public readonly RunContext Context = context;
        public readonly bool CollectErrors = collectErrors;
        public readonly CancellationTokenSource? Cancellation = cancellation;
        public readonly CancellationToken CancellationToken = cancellationToken;
        public int Next;
        public Exception? FirstError;
    }
}
