namespace Chains.Runnables;

/// <summary>Runs the first branch whose condition holds, or the default branch.</summary>
internal sealed class RunnableBranch<TIn, TOut>(IReadOnlyList<(Func<TIn, CancellationToken, ValueTask<bool>> Condition, Runnable<TIn, TOut> Step)> branches, Runnable<TIn, TOut> defaultStep) : Runnable<TIn, TOut>
{
    public override string Name => "Branch";

    protected internal override async ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
        => await (await SelectAsync(input, cancellationToken)).InvokeInContextAsync(input, context, cancellationToken);

    protected internal override async IAsyncEnumerable<TOut> StreamCoreAsync(TIn input, RunContext context, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var step = await SelectAsync(input, cancellationToken);
        await foreach (var chunk in step.StreamInContextAsync(input, context, cancellationToken))
        {
            yield return chunk;
        }
    }

    private async ValueTask<Runnable<TIn, TOut>> SelectAsync(TIn input, CancellationToken cancellationToken)
    {
        foreach (var (condition, step) in branches)
        {
            if (await condition(input, cancellationToken))
            {
                return step;
            }
        }

        return defaultStep;
    }
}

/// <summary>Runs a step on every item of a list, at most <see cref="RunContext.MaxConcurrency"/> at a time, keeping order.</summary>
internal sealed class RunnableMap<TIn, TOut>(Runnable<TIn, TOut> step) : Runnable<IReadOnlyList<TIn>, IReadOnlyList<TOut>>
{
    public override string Name => "Map";

    protected internal override async ValueTask<IReadOnlyList<TOut>> InvokeCoreAsync(IReadOnlyList<TIn> input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var results = await BatchRunner<TIn, TOut>.RunAsync(step, input, context, collectErrors: false, cancellationToken);
        var outputs = new TOut[results.Length];
        for (var i = 0; i < results.Length; i++)
        {
            outputs[i] = results[i].Value;
        }

        return outputs;
    }
}
