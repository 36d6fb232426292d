using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Chains.Runnables;

/// <summary>
/// A typed unit of work that can be invoked, streamed, batched and composed: prompts, models, parsers, retrievers,
/// delegates and every composition of them (<c>prompt.Pipe(model).Pipe(parser)</c>) are runnables.
/// </summary>
/// <typeparam name="TIn">The input type.</typeparam>
/// <typeparam name="TOut">The output type; when streaming, each chunk is a <typeparamref name="TOut"/> too
/// (a text delta for strings, a one-update response for chat models, a progressively completed object for parsers).</typeparam>
/// <remarks>
/// <para>Derive from this class and override <see cref="InvokeCoreAsync"/>; override <see cref="StreamCoreAsync"/> when the
/// step can produce its output in pieces, and <see cref="TransformCoreAsync"/> when it can consume its input in pieces.
/// Instances must be immutable and thread-safe: one runnable serves any number of concurrent runs.</para>
/// <para>When nobody observes a run (no event sink, no logger factory, no <see cref="System.Diagnostics.ActivityListener"/>
/// or metric listener), invoking a step adds no allocation to the step's own.</para>
/// </remarks>
public abstract class Runnable<TIn, TOut>
{
    /// <summary>Gets the step's name in events, spans and logs. Defaults to the type name; change it with
    /// <see cref="RunnableExtensions.WithName{TIn,TOut}"/>.</summary>
    public virtual string Name => GetType().Name is var n && n.IndexOf('`', StringComparison.Ordinal) is var i and >= 0 ? n[..i] : n;

    /// <summary>Gets what kind of step this is (one of <see cref="StepKinds"/>), reported in events and spans.</summary>
    protected internal virtual string StepKind => StepKinds.Chain;

    /// <summary>Runs the step once.</summary>
    /// <param name="input">The input.</param>
    /// <param name="options">Tags, metadata, concurrency, event sink and services for the run.</param>
    /// <param name="cancellationToken">A token that cancels the run.</param>
    /// <returns>The output.</returns>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public ValueTask<TOut> InvokeAsync(TIn input, RunOptions? options = null, CancellationToken cancellationToken = default)
        => InvokeGuarded(input, new RunContext(options, null), cancellationToken);

    /// <summary>Runs the step and yields its output in chunks as soon as they are produced. Steps that cannot stream
    /// yield their whole output as one chunk; in a sequence, earlier steps run to completion and the last streaming
    /// steps pass chunks through as they arrive.</summary>
    /// <param name="input">The input.</param>
    /// <param name="options">Tags, metadata, concurrency, event sink and services for the run.</param>
    /// <param name="cancellationToken">A token that cancels the run; it also stops the enumeration.</param>
    /// <returns>The output chunks.</returns>
    public IAsyncEnumerable<TOut> StreamAsync(TIn input, RunOptions? options = null, CancellationToken cancellationToken = default)
        => StreamInContextAsync(input, new RunContext(options, null), cancellationToken);

    /// <summary>Runs the step over an input that arrives in chunks, yielding output chunks as they are produced. Steps
    /// that cannot consume chunks combine the input first (strings are concatenated, chat responses merged; other types
    /// keep the last chunk).</summary>
    /// <param name="input">The input chunks.</param>
    /// <param name="options">Tags, metadata, concurrency, event sink and services for the run.</param>
    /// <param name="cancellationToken">A token that cancels the run.</param>
    /// <returns>The output chunks.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    public IAsyncEnumerable<TOut> TransformAsync(IAsyncEnumerable<TIn> input, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return TransformInContextAsync(input, new RunContext(options, null), cancellationToken);
    }

    /// <summary>Runs the step on every input, at most <see cref="RunOptions.MaxConcurrency"/> at a time, and returns the
    /// outputs in input order. The first failure cancels the items still running and is rethrown.</summary>
    /// <param name="inputs">The inputs.</param>
    /// <param name="options">Options for every item's run; <see cref="RunOptions.MaxConcurrency"/> bounds the parallelism.</param>
    /// <param name="cancellationToken">A token that cancels the batch.</param>
    /// <returns>One output per input, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> is <see langword="null"/>.</exception>
    public async Task<IReadOnlyList<TOut>> BatchAsync(IReadOnlyList<TIn> inputs, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var results = await BatchRunner<TIn, TOut>.RunAsync(this, inputs, new RunContext(options, null), collectErrors: false, cancellationToken);
        var outputs = new TOut[results.Length];
        for (var i = 0; i < results.Length; i++)
        {
            outputs[i] = results[i].Value;
        }

        return outputs;
    }

    /// <summary>Runs the step on every input like <see cref="BatchAsync"/>, but never fails on an item: each item's
    /// output or exception is returned in input order.</summary>
    /// <param name="inputs">The inputs.</param>
    /// <param name="options">Options for every item's run; <see cref="RunOptions.MaxConcurrency"/> bounds the parallelism.</param>
    /// <param name="cancellationToken">A token that cancels the batch (items not yet started then fail with
    /// <see cref="OperationCanceledException"/>).</param>
    /// <returns>One result per input, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> is <see langword="null"/>.</exception>
    public async Task<IReadOnlyList<RunResult<TOut>>> TryBatchAsync(IReadOnlyList<TIn> inputs, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return await BatchRunner<TIn, TOut>.RunAsync(this, inputs, new RunContext(options, null), collectErrors: true, cancellationToken);
    }

    /// <summary>Streams the run and yields the start, chunk, end and error events of the step and every nested step,
    /// in the order they happen. A failure is reported as a <see cref="RunFailedEvent"/> and then rethrown.</summary>
    /// <param name="input">The input.</param>
    /// <param name="options">Options for the run; an <see cref="RunOptions.EventSink"/> given here still receives every event too.</param>
    /// <param name="cancellationToken">A token that cancels the run.</param>
    /// <returns>The events.</returns>
    public async IAsyncEnumerable<RunEvent> StreamEventsAsync(TIn input, RunOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });
        var sink = new ChannelSink(channel.Writer, options?.EventSink);
        var runOptions = (options ?? new RunOptions()) with { EventSink = sink };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var unused in StreamAsync(input, runOptions, cts.Token).ConfigureAwait(false))
                    {
                        _ = unused;
                    }

                    channel.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    channel.Writer.TryComplete(ex);
                }
            },
            CancellationToken.None);

        try
        {
            await foreach (var runEvent in channel.Reader.ReadAllAsync(CancellationToken.None))
            {
                yield return runEvent;
            }
        }
        finally
        {
            await cts.CancelAsync();
            await pump;
        }
    }

    /// <summary>Produces the output for one input. Composite steps pass <paramref name="context"/> to their children
    /// (see <see cref="RunContext.InvokeAsync{TIn,TOut}"/>).</summary>
    /// <param name="input">The input.</param>
    /// <param name="context">The run context of this step.</param>
    /// <param name="cancellationToken">A token that cancels the step.</param>
    /// <returns>The output.</returns>
    protected internal abstract ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken);

    /// <summary>Produces the output in chunks. The default invokes the step once and yields its output.</summary>
    /// <param name="input">The input.</param>
    /// <param name="context">The run context of this step.</param>
    /// <param name="cancellationToken">A token that cancels the step.</param>
    /// <returns>The output chunks.</returns>
    protected internal virtual async IAsyncEnumerable<TOut> StreamCoreAsync(TIn input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return await InvokeCoreAsync(input, context, cancellationToken);
    }

    /// <summary>Produces output chunks from input chunks. The default combines the input chunks (see
    /// <see cref="TransformAsync"/>) and then streams.</summary>
    /// <param name="input">The input chunks.</param>
    /// <param name="context">The run context of this step.</param>
    /// <param name="cancellationToken">A token that cancels the step.</param>
    /// <returns>The output chunks.</returns>
    protected internal virtual async IAsyncEnumerable<TOut> TransformCoreAsync(IAsyncEnumerable<TIn> input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var combined = await ChunkCombiner<TIn>.CombineAsync(input, cancellationToken);
        await foreach (var chunk in StreamCoreAsync(combined, context, cancellationToken).WithCancellation(cancellationToken))
        {
            yield return chunk;
        }
    }

    /// <summary>Invokes the step for a public caller: a failure is always reported through the returned task, never
    /// thrown synchronously (synchronous steps such as lambdas complete inline). Costs nothing on success.</summary>
    internal ValueTask<TOut> InvokeGuarded(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        try
        {
            return InvokeInContextAsync(input, context, cancellationToken);
        }
        catch (OperationCanceledException ex) when (ex.CancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TOut>(ex.CancellationToken);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<TOut>(ex);
        }
    }

    internal ValueTask<TOut> InvokeInContextAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        if (!context.IsObserved)
        {
            return InvokeCoreAsync(input, context, cancellationToken);
        }

        return InvokeObservedAsync(input, context, cancellationToken);
    }

    internal IAsyncEnumerable<TOut> StreamInContextAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        if (!context.IsObserved)
        {
            return StreamCoreAsync(input, context, cancellationToken);
        }

        return StreamObservedAsync(input, context, cancellationToken);
    }

    internal IAsyncEnumerable<TOut> TransformInContextAsync(IAsyncEnumerable<TIn> input, RunContext context, CancellationToken cancellationToken)
    {
        if (!context.IsObserved)
        {
            return TransformCoreAsync(input, context, cancellationToken);
        }

        return TransformObservedAsync(input, context, cancellationToken);
    }

    /// <summary>Hook for steps that add attributes to their span or events (model steps add GenAI attributes).</summary>
    internal RunScope StartScope(RunContext parent, object? input, bool streaming)
        => StartScope(Name, parent, input, streaming, null, null);

    /// <summary>Starts the observed scope of one invocation; model steps override it to add GenAI attributes.</summary>
    internal virtual RunScope StartScope(string name, RunContext parent, object? input, bool streaming, IReadOnlyList<string>? tags, IReadOnlyDictionary<string, object?>? metadata)
        => RunScope.Start(name, StepKind, parent, input, streaming, tags, metadata);

    private async ValueTask<TOut> InvokeObservedAsync(TIn input, RunContext parent, CancellationToken cancellationToken)
    {
        var scope = StartScope(parent, input, streaming: false);
        TOut output;
        try
        {
            output = await InvokeCoreAsync(input, new RunContext(parent.Options, scope), cancellationToken);
        }
        catch (Exception ex)
        {
            scope.Fail(ex);
            throw;
        }

        scope.Complete(output);
        return output;
    }

    private async IAsyncEnumerable<TOut> StreamObservedAsync(TIn input, RunContext parent, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var scope = StartScope(parent, input, streaming: true);
        IAsyncEnumerable<TOut> chunks;
        try
        {
            chunks = StreamCoreAsync(input, new RunContext(parent.Options, scope), cancellationToken);
        }
        catch (Exception ex)
        {
            scope.Fail(ex);
            throw;
        }

        await foreach (var chunk in ObserveChunksAsync(chunks, scope, cancellationToken))
        {
            yield return chunk;
        }
    }

    private async IAsyncEnumerable<TOut> TransformObservedAsync(IAsyncEnumerable<TIn> input, RunContext parent, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Wait for the first input chunk before starting: the step that produces the input then starts (and reports its
        // start) before this one, so a sequence's events come in step order. A failure upstream means this step never ran.
        var source = input.GetAsyncEnumerator(cancellationToken);
        try
        {
            var hasFirst = await source.MoveNextAsync();
            var first = hasFirst ? source.Current : default!;
            var scope = StartScope(parent, null, streaming: true);
            IAsyncEnumerable<TOut> chunks;
            try
            {
                chunks = TransformCoreAsync(Resume(source, hasFirst, first), new RunContext(parent.Options, scope), cancellationToken);
            }
            catch (Exception ex)
            {
                scope.Fail(ex);
                throw;
            }

            await foreach (var chunk in ObserveChunksAsync(chunks, scope, cancellationToken))
            {
                yield return chunk;
            }
        }
        finally
        {
            await source.DisposeAsync();
        }
    }

    private static async IAsyncEnumerable<TIn> Resume(IAsyncEnumerator<TIn> source, bool hasFirst, TIn first)
    {
        if (!hasFirst)
        {
            yield break;
        }

        yield return first;
        while (await source.MoveNextAsync())
        {
            yield return source.Current;
        }
    }

    private static async IAsyncEnumerable<TOut> ObserveChunksAsync(IAsyncEnumerable<TOut> chunks, RunScope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var combiner = scope.HasSink ? new ChunkCombiner<TOut>() : null;
        var enumerator = chunks.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                TOut chunk;

                // While the step produces its next chunk its span is current, so spans the step's own code starts (a
                // chat client's OpenTelemetry span, an HTTP call) nest under it; the consumer's context is left as it was.
                var previous = Activity.Current;
                if (scope.Activity is not null)
                {
                    Activity.Current = scope.Activity;
                }

                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        break;
                    }

                    chunk = enumerator.Current;
                }
                catch (Exception ex)
                {
                    scope.Fail(ex);
                    throw;
                }
                finally
                {
                    if (scope.Activity is not null)
                    {
                        Activity.Current = previous;
                    }
                }

                // A step that ignores the token still stops at its next chunk.
                if (cancellationToken.IsCancellationRequested)
                {
                    var cancelled = new OperationCanceledException(cancellationToken);
                    scope.Fail(cancelled);
                    throw cancelled;
                }

                combiner?.Add(chunk);
                scope.Chunk(chunk);
                yield return chunk;
            }

            scope.Complete(combiner is null ? null : combiner.Result);
        }
        finally
        {
            // The consumer stopped early: the step ends with what it produced so far.
            scope.Complete(combiner is null ? null : combiner.Result);
            await enumerator.DisposeAsync();
        }
    }

    private sealed class ChannelSink(ChannelWriter<RunEvent> writer, IRunEventSink? inner) : IRunEventSink
    {
        public void OnEvent(RunEvent runEvent)
        {
            inner?.OnEvent(runEvent);
            writer.TryWrite(runEvent);
        }
    }
}
