using System.Runtime.CompilerServices;

namespace Chains.Runnables;

/// <summary>A step from a synchronous delegate: invoking it allocates nothing beyond what the delegate allocates.</summary>
internal sealed class SyncLambdaRunnable<TIn, TOut>(Func<TIn, TOut> func, string? name) : Runnable<TIn, TOut>
{
    public override string Name => name ?? "Lambda";

    protected internal override string StepKind => StepKinds.Lambda;

    protected internal override ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<TOut>(func(input));
    }
}

/// <summary>A step from an asynchronous delegate that may run child steps through the <see cref="RunContext"/>.</summary>
internal sealed class AsyncLambdaRunnable<TIn, TOut>(Func<TIn, RunContext, CancellationToken, ValueTask<TOut>> func, string? name) : Runnable<TIn, TOut>
{
    public override string Name => name ?? "Lambda";

    protected internal override string StepKind => StepKinds.Lambda;

    protected internal override ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
        => func(input, context, cancellationToken);
}

/// <summary>A step from an async iterator delegate: it streams whatever the delegate yields; invoking it combines the
/// chunks (strings concatenated, chat responses merged, otherwise the last chunk).</summary>
internal sealed class StreamingLambdaRunnable<TIn, TOut>(Func<TIn, RunContext, CancellationToken, IAsyncEnumerable<TOut>> func, string? name) : Runnable<TIn, TOut>
{
    public override string Name => name ?? "Lambda";

    protected internal override string StepKind => StepKinds.Lambda;

    protected internal override ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
        => ChunkCombiner<TOut>.CombineAsync(func(input, context, cancellationToken), cancellationToken);

    /// <summary>Calls the delegate when enumeration starts (not when the stream is requested), so a delegate that throws
    /// fails the enumeration, inside the step's observed scope.</summary>
    protected internal override async IAsyncEnumerable<TOut> StreamCoreAsync(TIn input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in func(input, context, cancellationToken).WithCancellation(cancellationToken))
        {
            // The delegate may ignore the token; stop at the next chunk at the latest.
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }
}

/// <summary>Returns its input unchanged.</summary>
internal sealed class PassthroughRunnable<T> : Runnable<T, T>
{
    public static readonly PassthroughRunnable<T> Instance = new();

    public override string Name => "Passthrough";

    protected internal override ValueTask<T> InvokeCoreAsync(T input, RunContext context, CancellationToken cancellationToken)
        => new(input);

    protected internal override IAsyncEnumerable<T> TransformCoreAsync(IAsyncEnumerable<T> input, RunContext context, CancellationToken cancellationToken)
        => input;
}
