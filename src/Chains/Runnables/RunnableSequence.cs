namespace Chains.Runnables;

/// <summary>Marks sequences so that nested sequences are inlined: <c>a.Pipe(b).Pipe(c)</c> reports one sequence run with
/// three children, not a sequence inside a sequence.</summary>
internal interface IRunnableSequence;

/// <summary>Two steps run one after the other; made by <c>Pipe</c>.</summary>
/// <remarks>Streaming feeds the first step's chunks to the second step's transform, so a sequence whose last steps
/// stream yields its first chunk before those steps finish.</remarks>
internal sealed class RunnableSequence<TIn, TMid, TOut> : Runnable<TIn, TOut>, IRunnableSequence
{
    private readonly Runnable<TIn, TMid> _first;
    private readonly Runnable<TMid, TOut> _second;
    private readonly bool _inlineFirst;
    private readonly bool _inlineSecond;

    public RunnableSequence(Runnable<TIn, TMid> first, Runnable<TMid, TOut> second)
    {
        _first = first;
        _second = second;
        _inlineFirst = first is IRunnableSequence;
        _inlineSecond = second is IRunnableSequence;
    }

    public override string Name => "Sequence";

    protected internal override ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        var firstTask = _inlineFirst ? _first.InvokeCoreAsync(input, context, cancellationToken) : _first.InvokeInContextAsync(input, context, cancellationToken);
        if (firstTask.IsCompletedSuccessfully)
        {
            return InvokeSecond(firstTask.Result, context, cancellationToken);
        }

        return AwaitFirstAsync(firstTask, context, cancellationToken);
    }

    protected internal override IAsyncEnumerable<TOut> StreamCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        var firstChunks = _inlineFirst ? _first.StreamCoreAsync(input, context, cancellationToken) : _first.StreamInContextAsync(input, context, cancellationToken);
        return TransformSecond(firstChunks, context, cancellationToken);
    }

    protected internal override IAsyncEnumerable<TOut> TransformCoreAsync(IAsyncEnumerable<TIn> input, RunContext context, CancellationToken cancellationToken)
    {
        var firstChunks = _inlineFirst ? _first.TransformCoreAsync(input, context, cancellationToken) : _first.TransformInContextAsync(input, context, cancellationToken);
        return TransformSecond(firstChunks, context, cancellationToken);
    }

    private ValueTask<TOut> InvokeSecond(TMid input, RunContext context, CancellationToken cancellationToken)
        => _inlineSecond ? _second.InvokeCoreAsync(input, context, cancellationToken) : _second.InvokeInContextAsync(input, context, cancellationToken);

    private IAsyncEnumerable<TOut> TransformSecond(IAsyncEnumerable<TMid> input, RunContext context, CancellationToken cancellationToken)
        => _inlineSecond ? _second.TransformCoreAsync(input, context, cancellationToken) : _second.TransformInContextAsync(input, context, cancellationToken);

    private async ValueTask<TOut> AwaitFirstAsync(ValueTask<TMid> firstTask, RunContext context, CancellationToken cancellationToken)
        => await InvokeSecond(await firstTask, context, cancellationToken);
}
