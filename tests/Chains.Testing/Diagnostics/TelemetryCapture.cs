using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Chains.Testing.Diagnostics;

/// <summary>One recorded measurement: the instrument's name, the value (as a <see cref="double"/> whatever the
/// instrument's type) and a copy of its tags.</summary>
/// <param name="Instrument">The name of the instrument that recorded it.</param>
/// <param name="Value">The value recorded.</param>
/// <param name="Tags">The tags, copied when recorded (ordinal keys).</param>
public sealed record TelemetryMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

/// <summary>
/// Records the spans one <see cref="ActivitySource"/> stops and the measurements one <see cref="Meter"/> takes while it
/// lives, with no OpenTelemetry SDK: the in-process listeners a package's telemetry tests read the tags from.
/// </summary>
/// <remarks>
/// Listeners are process-wide, so a capture sees what tests running in parallel emit too. Tell the test's own apart
/// either by a tag only the test uses (a model id, a table in its own schema: pass <c>spanFilter</c> and
/// <c>measurementFilter</c>), or by the trace: <see cref="ForOwnTraces"/> keeps only the spans under
/// <see cref="RunInOwnTraceAsync{T}"/>. Measurements carry no trace, so a test that counts them without a filter must
/// run where nothing else uses the meter (a collection with parallelization disabled).
/// </remarks>
public sealed class TelemetryCapture : IDisposable
{
    /// <summary>The name of <see cref="TestSource"/>; listeners match it by name, since a source announces itself to
    /// them from its constructor, before the static field holds it.</summary>
    private const string TestSourceName = "Chains.Testing.TelemetryCapture";

    /// <summary>The source of the parent spans <see cref="RunInOwnTraceAsync{T}"/> starts.</summary>
    private static readonly ActivitySource TestSource = new(TestSourceName);

    private readonly string _sourceName;
    private readonly Func<Activity, bool>? _spanFilter;
    private readonly Func<TelemetryMeasurement, bool>? _measurementFilter;
    private readonly bool _ownTracesOnly;
    private readonly ConcurrentDictionary<ActivityTraceId, bool> _ownTraces = new();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<TelemetryMeasurement> _measurements = new();
    private readonly ActivityListener _activityListener;
    private readonly MeterListener _meterListener = new();

    /// <summary>Starts recording every span of <paramref name="sourceName"/> and every measurement of
    /// <paramref name="meterName"/> that passes its filter.</summary>
    /// <param name="sourceName">The <see cref="ActivitySource"/> whose stopped spans are kept.</param>
    /// <param name="meterName">The <see cref="Meter"/> whose measurements (of <see cref="long"/> or <see cref="double"/>
    /// instruments) are kept.</param>
    /// <param name="spanFilter">Keeps a stopped span when it returns <see langword="true"/>; every span when
    /// <see langword="null"/>.</param>
    /// <param name="measurementFilter">Keeps a measurement when it returns <see langword="true"/>; every measurement when
    /// <see langword="null"/>.</param>
    public TelemetryCapture(string sourceName, string meterName, Func<Activity, bool>? spanFilter = null, Func<TelemetryMeasurement, bool>? measurementFilter = null)
        : this(sourceName, meterName, spanFilter, measurementFilter, ownTracesOnly: false)
    {
    }

    private TelemetryCapture(string sourceName, string meterName, Func<Activity, bool>? spanFilter, Func<TelemetryMeasurement, bool>? measurementFilter, bool ownTracesOnly)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceName);
        ArgumentException.ThrowIfNullOrWhiteSpace(meterName);
        _sourceName = sourceName;
        _spanFilter = spanFilter;
        _measurementFilter = measurementFilter;
        _ownTracesOnly = ownTracesOnly;
        _activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == sourceName || source.Name == TestSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_activityListener);
        _meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.Start();
    }

    /// <summary>The spans kept so far, in the order they stopped.</summary>
    public IReadOnlyList<Activity> Spans => [.. _spans];

    /// <summary>Starts a capture that keeps only the spans of <paramref name="sourceName"/> in the traces that
    /// <see cref="RunInOwnTraceAsync{T}"/> started (and every measurement of <paramref name="meterName"/>).</summary>
    /// <param name="sourceName">The <see cref="ActivitySource"/> whose stopped spans are kept.</param>
    /// <param name="meterName">The <see cref="Meter"/> whose measurements are kept.</param>
    /// <returns>The started capture; dispose it to stop listening.</returns>
    public static TelemetryCapture ForOwnTraces(string sourceName, string meterName)
        => new(sourceName, meterName, spanFilter: null, measurementFilter: null, ownTracesOnly: true);

    /// <summary>Every piece of text an exporter could send for <paramref name="span"/>: its names, status description,
    /// tags, events with their tags, link tags and baggage (each tag as <c>key=value</c>, a list's items joined).</summary>
    /// <param name="span">The span to read.</param>
    /// <returns>The texts, one a piece.</returns>
    public static IEnumerable<string> Texts(Activity span)
    {
        ArgumentNullException.ThrowIfNull(span);
        yield return span.OperationName;
        yield return span.DisplayName;
        yield return span.StatusDescription ?? string.Empty;
        foreach (var tag in span.TagObjects)
        {
            yield return TagText(tag);
        }

        foreach (var e in span.Events)
        {
            yield return e.Name;
            foreach (var tag in e.Tags)
            {
                yield return TagText(tag);
            }
        }

        foreach (var link in span.Links)
        {
            foreach (var tag in link.Tags ?? [])
            {
                yield return TagText(tag);
            }
        }

        foreach (var item in span.Baggage)
        {
            yield return item.Key + "=" + item.Value;
        }
    }

    /// <summary>A tag as text: <c>key=value</c>, with a list's items joined by commas and numbers in the invariant
    /// culture.</summary>
    /// <param name="tag">The tag.</param>
    /// <returns>The text.</returns>
    public static string TagText(KeyValuePair<string, object?> tag) => tag.Key + "=" + Text(tag.Value);

    /// <summary>The one span named <paramref name="operationName"/>; fails the test unless exactly one was kept.</summary>
    /// <param name="operationName">The span's <see cref="Activity.OperationName"/>.</param>
    /// <returns>The span.</returns>
    public Activity Span(string operationName) => Assert.Single(_spans, s => s.OperationName == operationName);

    /// <summary>The measurements kept so far from the instrument named <paramref name="instrument"/>, in the order
    /// they were recorded.</summary>
    /// <param name="instrument">The instrument's name.</param>
    /// <returns>The measurements; empty when there were none.</returns>
    public IReadOnlyList<TelemetryMeasurement> Measurements(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument)];

    /// <summary>Runs <paramref name="action"/> under a new parent span, so a capture from <see cref="ForOwnTraces"/>
    /// keeps the spans it causes.</summary>
    /// <typeparam name="T">What the action returns.</typeparam>
    /// <param name="action">The code under test.</param>
    /// <returns>What <paramref name="action"/> returned.</returns>
    public async Task<T> RunInOwnTraceAsync<T>(Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        using var parent = TestSource.StartActivity("test")
            ?? throw new InvalidOperationException("The capture's parent span was not created: its listener is disposed.");
        _ownTraces[parent.TraceId] = true;
        return await action();
    }

    /// <summary>Fails the test unless at least one span was kept and no fragment of <paramref name="fragments"/>
    /// stands in any text of a kept span (<see cref="Texts"/>) or in any kept measurement's instrument name or tags:
    /// what proves that text a package must not report (prompts, document content, ids) never reaches telemetry.</summary>
    /// <param name="fragments">The texts that must not appear, compared ordinally.</param>
    public void AssertNoneRecorded(IEnumerable<string> fragments)
    {
        ArgumentNullException.ThrowIfNull(fragments);
        Assert.NotEmpty(_spans);
        var texts = _spans.SelectMany(Texts)
            .Concat(_measurements.SelectMany(m => m.Tags.Select(TagText).Prepend(m.Instrument)))
            .ToList();
        foreach (var fragment in fragments)
        {
            Assert.DoesNotContain(texts, t => t.Contains(fragment, StringComparison.Ordinal));
        }
    }

    /// <summary>Stops listening; what was kept stays readable.</summary>
    public void Dispose()
    {
        _activityListener.Dispose();
        _meterListener.Dispose();
    }

    private static string Text(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        IEnumerable items => string.Join(",", items.Cast<object?>().Select(Text)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private void Stopped(Activity activity)
    {
        if (activity.Source.Name == _sourceName
            && (!_ownTracesOnly || _ownTraces.ContainsKey(activity.TraceId))
            && (_spanFilter is null || _spanFilter(activity)))
        {
            _spans.Enqueue(activity);
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        var measurement = new TelemetryMeasurement(instrument.Name, value, copy);
        if (_measurementFilter is null || _measurementFilter(measurement))
        {
            _measurements.Enqueue(measurement);
        }
    }
}
