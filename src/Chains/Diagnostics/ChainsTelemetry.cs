using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Chains;

/// <summary>
/// The names under which Chains reports traces and metrics. Subscribe with OpenTelemetry's
/// <c>AddSource(ChainsTelemetry.SourceName)</c> and <c>AddMeter(ChainsTelemetry.MeterName)</c>, or any
/// <see cref="ActivityListener"/> / <see cref="MeterListener"/>. Nothing is recorded while nobody listens.
/// </summary>
public static class ChainsTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and <see cref="Meter"/> of the <c>Chains</c> package.</summary>
    public const string SourceName = "Chains";

    /// <summary>The name of the <see cref="Meter"/> of the <c>Chains</c> package.</summary>
    public const string MeterName = SourceName;

    /// <summary>The histogram of step durations in seconds, tagged with the step kind and name and, on failure, the error type.</summary>
    public const string RunDurationInstrument = "chains.run.duration";

    private static readonly string Version =
        typeof(ChainsTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    internal static readonly ActivitySource Source = new(SourceName, Version);

    internal static readonly Meter Meter = new(MeterName, Version);

    internal static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>(
        RunDurationInstrument,
        unit: "s",
        description: "Duration of Chains step invocations.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    internal static bool IsEnabled => Source.HasListeners() || RunDuration.Enabled;
}
