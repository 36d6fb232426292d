namespace Chains.Runnables;

/// <summary>
/// The context a step runs in: the run's options and, when someone observes the run, the step's place in the run tree.
/// Custom composite steps pass it on to their children through <see cref="InvokeAsync{TIn,TOut}"/>,
/// <see cref="StreamAsync{TIn,TOut}"/> and <see cref="TransformAsync{TIn,TOut}"/> so that the children's events and spans
/// nest under the step.
/// </summary>
/// <remarks>
/// A default <see cref="RunContext"/> is valid: no options, nobody observing. When nobody observes a run the context
/// costs nothing (it is a struct holding two references).
/// </remarks>
public readonly struct RunContext
{
    internal RunContext(RunOptions? options, RunScope? scope)
    {
        Options = options;
        Scope = scope;
    }

    /// <summary>Gets the options the run was started with, or <see langword="null"/>.</summary>
    public RunOptions? Options { get; }

    /// <summary>Gets the id of the current step invocation, or <see langword="null"/> when no event sink or logger
    /// observes the run (run ids are made only for events and logs; spans have their own ids).</summary>
    public Guid? RunId => Scope?.Info?.RunId;

    /// <summary>Gets the time provider of the run (<see cref="TimeProvider.System"/> unless the options name one).</summary>
    public TimeProvider TimeProvider => Options?.TimeProvider ?? TimeProvider.System;

    /// <summary>Gets the maximum concurrency for batch and map steps in this run.</summary>
    public int MaxConcurrency => Options?.MaxConcurrency ?? Runnable.DefaultMaxConcurrency;

    internal RunScope? Scope { get; }

    internal bool IsObserved => Scope is not null || (Options?.NeedsScope ?? false) || ChainsTelemetry.IsEnabled;

    /// <summary>Invokes <paramref name="step"/> as a child of the current step.</summary>
    /// <typeparam name="TIn">The step's input type.</typeparam>
    /// <typeparam name="TOut">The step's output type.</typeparam>
    /// <param name="step">The child step.</param>
    /// <param name="input">The child's input.</param>
    /// <param name="cancellationToken">A token that cancels the child.</param>
    /// <returns>The child's output.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="step"/> is <see langword="null"/>.</exception>
    public ValueTask<TOut> InvokeAsync<TIn, TOut>(Runnable<TIn, TOut> step, TIn input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.InvokeGuarded(input, this, cancellationToken);
    }

    /// <summary>Streams <paramref name="step"/> as a child of the current step.</summary>
    /// <typeparam name="TIn">The step's input type.</typeparam>
    /// <typeparam name="TOut">The step's output type.</typeparam>
    /// <param name="step">The child step.</param>
    /// <param name="input">The child's input.</param>
    /// <param name="cancellationToken">A token that cancels the child.</param>
    /// <returns>The child's output chunks.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="step"/> is <see langword="null"/>.</exception>
    public IAsyncEnumerable<TOut> StreamAsync<TIn, TOut>(Runnable<TIn, TOut> step, TIn input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.StreamInContextAsync(input, this, cancellationToken);
    }

    /// <summary>Transforms a stream of input chunks with <paramref name="step"/> as a child of the current step.</summary>
    /// <typeparam name="TIn">The step's input type.</typeparam>
    /// <typeparam name="TOut">The step's output type.</typeparam>
    /// <param name="step">The child step.</param>
    /// <param name="input">The child's input chunks.</param>
    /// <param name="cancellationToken">A token that cancels the child.</param>
    /// <returns>The child's output chunks.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="step"/> or <paramref name="input"/> is <see langword="null"/>.</exception>
    public IAsyncEnumerable<TOut> TransformAsync<TIn, TOut>(Runnable<TIn, TOut> step, IAsyncEnumerable<TIn> input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(input);
        return step.TransformInContextAsync(input, this, cancellationToken);
    }

    internal RunContext WithOptions(RunOptions? options) => new(options, Scope);
}
