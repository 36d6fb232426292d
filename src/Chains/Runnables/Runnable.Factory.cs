namespace Chains.Runnables;

/// <summary>Creates steps from delegates and combines steps: lambdas, passthrough, parallel fan-out, assign, branch.</summary>
public static class Runnable
{
    private static int _defaultMaxConcurrency = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>Gets or sets the concurrency used by batch and map steps when <see cref="RunOptions.MaxConcurrency"/> is not set
    /// (default: twice the processor count, at least 4).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int DefaultMaxConcurrency
    {
        get => Volatile.Read(ref _defaultMaxConcurrency);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref _defaultMaxConcurrency, value);
        }
    }

    /// <summary>Creates a step from a synchronous function. Invoking it allocates nothing beyond what the function does.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="func">The function.</param>
    /// <param name="name">The step's name in events; default <c>"Lambda"</c>.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> Lambda<TIn, TOut>(Func<TIn, TOut> func, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(func);
        return new SyncLambdaRunnable<TIn, TOut>(func, name);
    }

    /// <summary>Creates a step from an asynchronous function.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="func">The function; it receives the run's cancellation token.</param>
    /// <param name="name">The step's name in events; default <c>"Lambda"</c>.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> Lambda<TIn, TOut>(Func<TIn, CancellationToken, Task<TOut>> func, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(func);
        return new AsyncLambdaRunnable<TIn, TOut>((input, _, ct) => new ValueTask<TOut>(func(input, ct)), name);
    }

    /// <summary>Creates a step from an asynchronous function that may run other steps as its children through the
    /// <see cref="RunContext"/> (so their events nest under this step).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="func">The function.</param>
    /// <param name="name">The step's name in events; default <c>"Lambda"</c>.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> Lambda<TIn, TOut>(Func<TIn, RunContext, CancellationToken, ValueTask<TOut>> func, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(func);
        return new AsyncLambdaRunnable<TIn, TOut>(func, name);
    }

    /// <summary>Creates a streaming step from an async iterator: it yields chunks as the iterator produces them.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The chunk and output type.</typeparam>
    /// <param name="func">The iterator; it receives the run context and cancellation token.</param>
    /// <param name="name">The step's name in events; default <c>"Lambda"</c>.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> Streaming<TIn, TOut>(Func<TIn, RunContext, CancellationToken, IAsyncEnumerable<TOut>> func, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(func);
        return new StreamingLambdaRunnable<TIn, TOut>(func, name);
    }

    /// <summary>Gets a step that returns its input unchanged (and passes streamed chunks through).</summary>
    /// <typeparam name="T">The input and output type.</typeparam>
    /// <returns>The step (a shared instance).</returns>
    public static Runnable<T, T> Passthrough<T>() => PassthroughRunnable<T>.Instance;

    /// <summary>Runs two steps on the same input concurrently and returns both outputs as a tuple.</summary>
    /// <typeparam name="TIn">The shared input type.</typeparam>
    /// <typeparam name="T1">The first output type.</typeparam>
    /// <typeparam name="T2">The second output type.</typeparam>
    /// <param name="first">The first step.</param>
    /// <param name="second">The second step.</param>
    /// <returns>The step. A failing branch cancels the other and its exception is rethrown.</returns>
    /// <exception cref="ArgumentNullException">A step is <see langword="null"/>.</exception>
    public static Runnable<TIn, (T1 First, T2 Second)> Parallel<TIn, T1, T2>(Runnable<TIn, T1> first, Runnable<TIn, T2> second)
        => Parallel(first, second, static (a, b) => (a, b));

    /// <summary>Runs two steps on the same input concurrently and combines their outputs, e.g. into a record.</summary>
    /// <typeparam name="TIn">The shared input type.</typeparam>
    /// <typeparam name="T1">The first output type.</typeparam>
    /// <typeparam name="T2">The second output type.</typeparam>
    /// <typeparam name="TOut">The combined output type.</typeparam>
    /// <param name="first">The first step.</param>
    /// <param name="second">The second step.</param>
    /// <param name="combine">Builds the output from both results.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> Parallel<TIn, T1, T2, TOut>(Runnable<TIn, T1> first, Runnable<TIn, T2> second, Func<T1, T2, TOut> combine)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(combine);
        return new RunnableParallel<TIn, T1, T2, TOut>(first, second, combine);
    }

    /// <summary>Runs three steps on the same input concurrently and returns the outputs as a tuple.</summary>
    /// <typeparam name="TIn">The shared input type.</typeparam>
    /// <typeparam name="T1">The first output type.</typeparam>
    /// <typeparam name="T2">The second output type.</typeparam>
    /// <typeparam name="T3">The third output type.</typeparam>
    /// <param name="first">The first step.</param>
    /// <param name="second">The second step.</param>
    /// <param name="third">The third step.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException">A step is <see langword="null"/>.</exception>
    public static Runnable<TIn, (T1 First, T2 Second, T3 Third)> Parallel<TIn, T1, T2, T3>(Runnable<TIn, T1> first, Runnable<TIn, T2> second, Runnable<TIn, T3> third)
        => Parallel(first, second, third, static (a, b, c) => (a, b, c));

    /// <summary>Runs three steps on the same input concurrently and combines their outputs.</summary>
    /// <typeparam name="TIn">The shared input type.</typeparam>
    /// <typeparam name="T1">The first output type.</typeparam>
    /// <typeparam name="T2">The second output type.</typeparam>
    /// <typeparam name="T3">The third output type.</typeparam>
    /// <typeparam name="TOut">The combined output type.</typeparam>
    /// <param name="first">The first step.</param>
    /// <param name="second">The second step.</param>
    /// <param name="third">The third step.</param>
    /// <param name="combine">Builds the output from the three results.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> Parallel<TIn, T1, T2, T3, TOut>(Runnable<TIn, T1> first, Runnable<TIn, T2> second, Runnable<TIn, T3> third, Func<T1, T2, T3, TOut> combine)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(third);
        ArgumentNullException.ThrowIfNull(combine);
        return new RunnableParallel<TIn, T1, T2, T3, TOut>(first, second, third, combine);
    }

    /// <summary>Runs four steps on the same input concurrently and combines their outputs.</summary>
    /// <typeparam name="TIn">The shared input type.</typeparam>
    /// <typeparam name="T1">The first output type.</typeparam>
    /// <typeparam name="T2">The second output type.</typeparam>
    /// <typeparam name="T3">The third output type.</typeparam>
    /// <typeparam name="T4">The fourth output type.</typeparam>
    /// <typeparam name="TOut">The combined output type.</typeparam>
    /// <param name="first">The first step.</param>
    /// <param name="second">The second step.</param>
    /// <param name="third">The third step.</param>
    /// <param name="fourth">The fourth step.</param>
    /// <param name="combine">Builds the output from the four results.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> Parallel<TIn, T1, T2, T3, T4, TOut>(Runnable<TIn, T1> first, Runnable<TIn, T2> second, Runnable<TIn, T3> third, Runnable<TIn, T4> fourth, Func<T1, T2, T3, T4, TOut> combine)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(third);
        ArgumentNullException.ThrowIfNull(fourth);
        ArgumentNullException.ThrowIfNull(combine);
        return new RunnableParallel<TIn, T1, T2, T3, T4, TOut>(first, second, third, fourth, combine);
    }

    /// <summary>Keeps the input and adds a computed value to it: runs <paramref name="compute"/> on the input and merges
    /// input and result with <paramref name="merge"/> (e.g. <c>(q, docs) =&gt; q with { Context = docs }</c>).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TValue">The computed value's type.</typeparam>
    /// <typeparam name="TOut">The merged output type.</typeparam>
    /// <param name="compute">The step computing the value.</param>
    /// <param name="merge">Builds the output from the input and the value.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Runnable<TIn, TOut> Assign<TIn, TValue, TOut>(Runnable<TIn, TValue> compute, Func<TIn, TValue, TOut> merge)
    {
        ArgumentNullException.ThrowIfNull(compute);
        ArgumentNullException.ThrowIfNull(merge);
        return new RunnableAssign<TIn, TValue, TOut>(compute, merge);
    }

    /// <summary>Starts a branch: the first condition that holds picks the step; <see cref="BranchBuilder{TIn,TOut}.Otherwise"/>
    /// gives the default.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The output type of every branch.</typeparam>
    /// <param name="condition">The first branch's condition.</param>
    /// <param name="step">The first branch's step.</param>
    /// <returns>A builder for more branches.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static BranchBuilder<TIn, TOut> When<TIn, TOut>(Func<TIn, bool> condition, Runnable<TIn, TOut> step)
        => new BranchBuilder<TIn, TOut>().When(condition, step);

    /// <summary>Starts a branch with an asynchronous condition (e.g. a classifier model call).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The output type of every branch.</typeparam>
    /// <param name="condition">The first branch's condition.</param>
    /// <param name="step">The first branch's step.</param>
    /// <returns>A builder for more branches.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static BranchBuilder<TIn, TOut> When<TIn, TOut>(Func<TIn, CancellationToken, ValueTask<bool>> condition, Runnable<TIn, TOut> step)
        => new BranchBuilder<TIn, TOut>().When(condition, step);
}

/// <summary>Collects the branches of a conditional step; finish with <see cref="Otherwise"/>.</summary>
/// <typeparam name="TIn">The input type.</typeparam>
/// <typeparam name="TOut">The output type of every branch.</typeparam>
public sealed class BranchBuilder<TIn, TOut>
{
    private readonly List<(Func<TIn, CancellationToken, ValueTask<bool>> Condition, Runnable<TIn, TOut> Step)> _branches = [];

    internal BranchBuilder()
    {
    }

    /// <summary>Adds a branch taken when <paramref name="condition"/> holds and no earlier branch was taken.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="step">The step to run.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public BranchBuilder<TIn, TOut> When(Func<TIn, bool> condition, Runnable<TIn, TOut> step)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return When((input, _) => new ValueTask<bool>(condition(input)), step);
    }

    /// <summary>Adds a branch with an asynchronous condition.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="step">The step to run.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public BranchBuilder<TIn, TOut> When(Func<TIn, CancellationToken, ValueTask<bool>> condition, Runnable<TIn, TOut> step)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(step);
        _branches.Add((condition, step));
        return this;
    }

    /// <summary>Finishes the branch with the step run when no condition holds.</summary>
    /// <param name="defaultStep">The default step.</param>
    /// <returns>The branch step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="defaultStep"/> is <see langword="null"/>.</exception>
    public Runnable<TIn, TOut> Otherwise(Runnable<TIn, TOut> defaultStep)
    {
        ArgumentNullException.ThrowIfNull(defaultStep);
        return new RunnableBranch<TIn, TOut>(_branches.ToArray(), defaultStep);
    }
}

/// <summary>Keeps the input and merges a computed value into it.</summary>
internal sealed class RunnableAssign<TIn, TValue, TOut>(Runnable<TIn, TValue> compute, Func<TIn, TValue, TOut> merge) : Runnable<TIn, TOut>
{
    public override string Name => "Assign";

    protected internal override ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        var value = compute.InvokeInContextAsync(input, context, cancellationToken);
        return value.IsCompletedSuccessfully ? new ValueTask<TOut>(merge(input, value.Result)) : AwaitAsync(input, value);
    }

    private async ValueTask<TOut> AwaitAsync(TIn input, ValueTask<TValue> value) => merge(input, await value);
}
