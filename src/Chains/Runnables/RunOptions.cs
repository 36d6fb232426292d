using Microsoft.Extensions.Logging;

namespace Chains.Runnables;

/// <summary>
/// Per-call settings for a runnable invocation: tags and metadata attached to every event and span of the run, the
/// maximum concurrency used by batch and map steps, an event sink that observes every nested step, and the services
/// (time, logging) a run uses.
/// </summary>
/// <remarks>
/// Instances are immutable once passed to a run; derive a changed copy with a <c>with</c> expression.
/// Tags and metadata are inherited by every nested step of the run.
/// </remarks>
public sealed record RunOptions
{
    private readonly int? _maxConcurrency;

    /// <summary>Gets the tags attached to the run and every nested step (e.g. <c>"experiment-a"</c>).</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Gets free-form metadata attached to the run's events and spans (never sent to a model).</summary>
    public IReadOnlyDictionary<string, object?>? Metadata { get; init; }

    /// <summary>
    /// Gets the maximum number of items processed at once by <see cref="Runnable{TIn,TOut}.BatchAsync"/> and map steps.
    /// <see langword="null"/> means <see cref="Runnable.DefaultMaxConcurrency"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int? MaxConcurrency
    {
        get => _maxConcurrency;
        init
        {
            if (value is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), value, "MaxConcurrency must be at least 1 (or null for the default).");
            }

            _maxConcurrency = value;
        }
    }

    /// <summary>Gets a sink that receives the start, chunk, end and error events of the run and every nested step.</summary>
    public IRunEventSink? EventSink { get; init; }

    /// <summary>Gets the name given to the root run in events and spans instead of the runnable's own name.</summary>
    public string? RunName { get; init; }

    /// <summary>Gets the logger factory used for run logging; prompt and completion text is logged at Trace level only.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Gets the time provider used for timestamps, retry back-off and timeouts. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; init; }

    internal bool NeedsScope => EventSink is not null || LoggerFactory is not null;
}
