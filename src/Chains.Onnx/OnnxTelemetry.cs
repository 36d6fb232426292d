using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Chains.Onnx;

/// <summary>
/// The names under which the ONNX embedding generator reports traces and metrics, following the OpenTelemetry GenAI
/// semantic conventions. Subscribe with OpenTelemetry's <c>AddSource(OnnxTelemetry.SourceName)</c> and
/// <c>AddMeter(OnnxTelemetry.MeterName)</c>, or any <see cref="ActivityListener"/> / <see cref="MeterListener"/>.
/// Nothing is recorded while nobody listens.
/// </summary>
/// <remarks>
/// Each <see cref="MiniLmEmbeddingGenerator.GenerateAsync"/> call is an internal span <c>embeddings all-MiniLM-L6-v2</c>
/// (the model runs in this process) with <c>gen_ai.operation.name</c> <c>embeddings</c>, <c>gen_ai.provider.name</c>
/// <c>onnxruntime</c>, <c>gen_ai.request.model</c>, <c>gen_ai.embeddings.dimension.count</c>,
/// <c>gen_ai.usage.input_tokens</c>, and the number of texts and model runs (<c>chains.onnx.input_count</c>,
/// <c>chains.onnx.batch_count</c>). No input text is ever recorded. This is separate from ONNX Runtime's own
/// telemetry, which the package turns off.
/// </remarks>
public static class OnnxTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> of the <c>Chains.Onnx</c> package.</summary>
    public const string SourceName = "Chains.Onnx";

    /// <summary>The name of the <see cref="Meter"/> of the <c>Chains.Onnx</c> package.</summary>
    public const string MeterName = SourceName;

    /// <summary>The histogram of input tokens per call (<c>{token}</c>), tagged <c>gen_ai.token.type</c> <c>input</c>,
    /// the operation, provider and model.</summary>
    public const string TokenUsageInstrument = "gen_ai.client.token.usage";

    /// <summary>The histogram of call durations in seconds (tokenizing, running and pooling every batch), tagged
    /// with the operation, provider, model and, on failure, <c>error.type</c>.</summary>
    public const string OperationDurationInstrument = "gen_ai.client.operation.duration";

    /// <summary>The value of <c>gen_ai.provider.name</c>.</summary>
    internal const string ProviderName = "onnxruntime";

    private const string Operation = "embeddings";

    private static readonly string Version =
        typeof(OnnxTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private static readonly string SpanName = Operation + " " + MiniLmEmbeddingGenerator.ModelId;

    internal static readonly ActivitySource Source = new(SourceName, Version);

    internal static readonly Meter Meter = new(MeterName, Version);

    internal static readonly Histogram<long> TokenUsage = Meter.CreateHistogram<long>(
        TokenUsageInstrument,
        unit: "{token}",
        description: "Number of input tokens embedded with ONNX Runtime.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });

    internal static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        OperationDurationInstrument,
        unit: "s",
        description: "Duration of ONNX Runtime embedding calls.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });

    /// <summary>Gets whether anyone listens.</summary>
    internal static bool IsEnabled => Source.HasListeners() || OperationDuration.Enabled || TokenUsage.Enabled;

    /// <summary>Starts the span of one call (or returns <see langword="null"/> when no span is wanted).</summary>
    internal static Activity? StartEmbeddings(int inputCount, int batchCount)
    {
        var activity = Source.StartActivity(SpanName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", Operation);
            activity.SetTag("gen_ai.provider.name", ProviderName);
            activity.SetTag("gen_ai.request.model", MiniLmEmbeddingGenerator.ModelId);
            activity.SetTag("gen_ai.embeddings.dimension.count", MiniLmEmbeddingGenerator.Dimensions);
            activity.SetTag("chains.onnx.input_count", inputCount);
            activity.SetTag("chains.onnx.batch_count", batchCount);
        }

        return activity;
    }

    /// <summary>Ends a call: usage on the span, then the duration and token metrics.</summary>
    internal static void Completed(Activity? activity, long started, long tokens)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.response.model", MiniLmEmbeddingGenerator.ModelId);
            activity.SetTag("gen_ai.usage.input_tokens", tokens);
        }

        Record(started, null);
        if (TokenUsage.Enabled)
        {
            var tags = Tags(null);
            tags.Add("gen_ai.token.type", "input");
            TokenUsage.Record(tokens, tags);
        }
    }

    /// <summary>Ends a failed call (cancellation included).</summary>
    internal static void Failed(Activity? activity, long started, Exception error)
    {
        var errorType = error.GetType().FullName;
        if (activity is not null)
        {
            activity.SetTag("error.type", errorType);
            activity.SetStatus(ActivityStatusCode.Error, error is OperationCanceledException ? "cancelled" : error.Message);
        }

        Record(started, errorType);
    }

    private static void Record(long started, string? errorType)
    {
        if (OperationDuration.Enabled)
        {
            OperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Tags(errorType));
        }
    }

    private static TagList Tags(string? errorType)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", Operation },
            { "gen_ai.provider.name", ProviderName },
            { "gen_ai.request.model", MiniLmEmbeddingGenerator.ModelId },
            { "gen_ai.response.model", MiniLmEmbeddingGenerator.ModelId },
        };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        return tags;
    }
}
