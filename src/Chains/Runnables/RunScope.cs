using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Chains.Runnables;

/// <summary>One observed step invocation: emits its events, span, log lines and duration metric.</summary>
internal sealed class RunScope
{
    private static readonly IReadOnlyDictionary<string, object?> EmptyMetadata = new Dictionary<string, object?>();

    private readonly IRunEventSink? _sink;
    private readonly ILogger? _logger;
    private readonly TimeProvider _time;
    private readonly long _started;
    private int _ended;

    private RunScope(RunInfo? info, string name, string stepKind, IReadOnlyList<string> tags, IReadOnlyDictionary<string, object?> metadata, IRunEventSink? sink, ILogger? logger, TimeProvider time, Activity? activity)
    {
        Info = info;
        Name = name;
        StepKind = stepKind;
        Tags = tags;
        Metadata = metadata;
        _sink = sink;
        _logger = logger;
        _time = time;
        Activity = activity;
        _started = time.GetTimestamp();
    }

    /// <summary>Gets the run description, or <see langword="null"/> when neither an event sink nor a logger observes the
    /// run (spans and metrics alone need no run ids, so none are made).</summary>
    public RunInfo? Info { get; }

    public string Name { get; }

    public string StepKind { get; }

    public IReadOnlyList<string> Tags { get; }

    public IReadOnlyDictionary<string, object?> Metadata { get; }

    public Activity? Activity { get; }

    public bool HasSink => _sink is not null;

    public static RunScope Start(string name, string stepKind, in RunContext parent, object? input, bool restoreCurrentActivity, IReadOnlyList<string>? extraTags = null, IReadOnlyDictionary<string, object?>? extraMetadata = null, string? spanName = null)
    {
        var options = parent.Options;
        var parentScope = parent.Scope;
        if (parentScope is null && options?.RunName is { } runName)
        {
            name = runName;
        }

        var tags = Merge(parentScope is null ? options?.Tags : parentScope.Tags, extraTags);
        var metadata = Merge(parentScope is null ? options?.Metadata : parentScope.Metadata, extraMetadata);
        var sink = options?.EventSink;
        var logger = options?.LoggerFactory?.CreateLogger("Chains.Run");
        var info = sink is null && logger is null
            ? null
            : new RunInfo(Guid.CreateVersion7(), parentScope?.Info?.RunId, name, stepKind, tags, metadata);

        Activity? activity = null;
        if (ChainsTelemetry.Source.HasListeners())
        {
            var previous = Activity.Current;
            var parentContext = parentScope?.Activity?.Context ?? previous?.Context ?? default;
            activity = ChainsTelemetry.Source.StartActivity(
                spanName ?? name,
                stepKind == StepKinds.ChatModel ? ActivityKind.Client : ActivityKind.Internal,
                parentContext);
            if (activity is not null)
            {
                if (activity.IsAllDataRequested)
                {
                    activity.SetTag("chains.step.kind", stepKind);
                    activity.SetTag("chains.step.name", name);
                    if (info is not null)
                    {
                        activity.SetTag("chains.run.id", info.RunId.ToString());
                    }

                    if (tags.Count > 0)
                    {
                        activity.SetTag("chains.tags", tags.ToArray());
                    }
                }

                if (restoreCurrentActivity)
                {
                    Activity.Current = previous;
                }
            }
        }

        var scope = new RunScope(info, name, stepKind, tags, metadata, sink, logger, options?.TimeProvider ?? TimeProvider.System, activity);
        if (logger is not null)
        {
            Log.StepStarted(logger, stepKind, name, info!.RunId, info.ParentRunId);
            if (logger.IsEnabled(LogLevel.Trace))
            {
                Log.StepInput(logger, name, Describe(input));
            }
        }

        sink?.OnEvent(new RunStartedEvent(info!, scope._time.GetUtcNow(), input));
        return scope;
    }

    public void Chunk(object? chunk) => _sink?.OnEvent(new RunChunkEvent(Info!, _time.GetUtcNow(), chunk));

    public void Complete(object? output)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        var elapsed = _time.GetElapsedTime(_started);
        if (_logger is not null)
        {
            Log.StepCompleted(_logger, StepKind, Name, elapsed.TotalMilliseconds, Info!.RunId);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                Log.StepOutput(_logger, Name, Describe(output));
            }
        }

        RecordDuration(elapsed, null);
        if (Activity is not null)
        {
            Activity.SetStatus(ActivityStatusCode.Ok);
            Activity.Dispose();
        }

        _sink?.OnEvent(new RunCompletedEvent(Info!, _time.GetUtcNow(), output, elapsed));
    }

    public void Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        var elapsed = _time.GetElapsedTime(_started);
        var cancelled = error is OperationCanceledException;
        if (_logger is not null)
        {
            if (cancelled)
            {
                Log.StepCancelled(_logger, StepKind, Name, elapsed.TotalMilliseconds, Info!.RunId);
            }
            else
            {
                Log.StepFailed(_logger, error, StepKind, Name, elapsed.TotalMilliseconds, Info!.RunId);
            }
        }

        RecordDuration(elapsed, error.GetType().FullName);
        if (Activity is not null)
        {
            Activity.SetStatus(ActivityStatusCode.Error, cancelled ? "cancelled" : error.Message);
            Activity.SetTag("error.type", error.GetType().FullName);
            Activity.Dispose();
        }

        _sink?.OnEvent(new RunFailedEvent(Info!, _time.GetUtcNow(), error, elapsed));
    }

    private void RecordDuration(TimeSpan elapsed, string? errorType)
    {
        if (!ChainsTelemetry.RunDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "chains.step.kind", StepKind },
            { "chains.step.name", Name },
        };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        ChainsTelemetry.RunDuration.Record(elapsed.TotalSeconds, tags);
    }

    private static IReadOnlyList<string> Merge(IReadOnlyList<string>? inherited, IReadOnlyList<string>? extra)
    {
        if (extra is null || extra.Count == 0)
        {
            return inherited ?? [];
        }

        if (inherited is null || inherited.Count == 0)
        {
            return extra;
        }

        var merged = new List<string>(inherited.Count + extra.Count);
        merged.AddRange(inherited);
        foreach (var tag in extra)
        {
            if (!merged.Contains(tag))
            {
                merged.Add(tag);
            }
        }

        return merged;
    }

    private static IReadOnlyDictionary<string, object?> Merge(IReadOnlyDictionary<string, object?>? inherited, IReadOnlyDictionary<string, object?>? extra)
    {
        if (extra is null || extra.Count == 0)
        {
            return inherited ?? EmptyMetadata;
        }

        if (inherited is null || inherited.Count == 0)
        {
            return extra;
        }

        var merged = new Dictionary<string, object?>(inherited);
        foreach (var (key, value) in extra)
        {
            merged[key] = value;
        }

        return merged;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string? Describe(object? value) => value switch
    {
        null => null,
        string s => s,
        Microsoft.Extensions.AI.ChatResponse r => r.Text,
        IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages => string.Join("\n", messages.Select(m => $"{m.Role}: {m.Text}")),
        _ => value.ToString(),
    };
}
