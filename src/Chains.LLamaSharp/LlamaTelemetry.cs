using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Chains.LLamaSharp;

/// <summary>
/// The names under which the local llama.cpp models report traces and metrics, following the OpenTelemetry GenAI
/// semantic conventions. Subscribe with OpenTelemetry's <c>AddSource(LlamaTelemetry.SourceName)</c> and
/// <c>AddMeter(LlamaTelemetry.MeterName)</c>, or any <see cref="ActivityListener"/> / <see cref="MeterListener"/>.
/// Nothing is recorded while nobody listens.
/// </summary>
/// <remarks>
/// <para>Each chat request is an internal span <c>chat {model}</c> (the model runs in this process) with
/// <c>gen_ai.operation.name</c> <c>chat</c>, <c>gen_ai.provider.name</c> <c>llama.cpp</c>, the effective request
/// settings (<c>gen_ai.request.model</c>, <c>max_tokens</c>, <c>temperature</c>, <c>top_p</c>, <c>top_k</c>,
/// <c>seed</c>), the response id, model and finish reason, and the token usage: <c>gen_ai.usage.input_tokens</c>,
/// <c>gen_ai.usage.output_tokens</c>, and the prompt tokens reused from the KV cache as
/// <c>gen_ai.usage.cache_read.input_tokens</c> and <c>chains.llama.cached_prompt_tokens</c>. Each embedding call is
/// a span <c>embeddings {model}</c> with the input count, dimensions and input tokens.</para>
/// <para>No prompt, completion or input text is ever recorded, in spans or metrics. To capture messages, wrap the
/// client with M.E.AI's <c>UseOpenTelemetry</c> and switch its sensitive-data option on.</para>
/// </remarks>
public static class LlamaTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> of the <c>Chains.LLamaSharp</c> package.</summary>
    public const string SourceName = "Chains.LLamaSharp";

    /// <summary>The name of the <see cref="Meter"/> of the <c>Chains.LLamaSharp</c> package.</summary>
    public const string MeterName = SourceName;

    /// <summary>The histogram of tokens per request (<c>{token}</c>), tagged <c>gen_ai.token.type</c> <c>input</c> or
    /// <c>output</c>, the operation (<c>chat</c>, <c>embeddings</c>), provider and model.</summary>
    public const string TokenUsageInstrument = "gen_ai.client.token.usage";

    /// <summary>The histogram of request durations in seconds, from the call to the last token (or the vectors),
    /// tagged with the operation, provider, model and, on failure, <c>error.type</c>.</summary>
    public const string OperationDurationInstrument = "gen_ai.client.operation.duration";

    /// <summary>The histogram of seconds from a successful chat call to its first generated token: prompt rendering,
    /// queueing and prompt evaluation (less what the KV cache saved).</summary>
    public const string TimeToFirstTokenInstrument = "gen_ai.server.time_to_first_token";

    /// <summary>The histogram of seconds per output token after the first, for successful chat calls with at least
    /// two output tokens: the inverse of the generation speed in tokens per second.</summary>
    public const string TimePerOutputTokenInstrument = "gen_ai.server.time_per_output_token";

    /// <summary>The histogram of model load durations in seconds (file checks and llama.cpp loading the weights),
    /// tagged with the model and, on failure, <c>error.type</c>.</summary>
    public const string ModelLoadDurationInstrument = "chains.llama.model.load.duration";

    /// <summary>The value of <c>gen_ai.provider.name</c>.</summary>
    internal const string ProviderName = "llama.cpp";

    private static readonly string Version =
        typeof(LlamaTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    internal static readonly ActivitySource Source = new(SourceName, Version);

    internal static readonly Meter Meter = new(MeterName, Version);

    internal static readonly Histogram<long> TokenUsage = Meter.CreateHistogram<long>(
        TokenUsageInstrument,
        unit: "{token}",
        description: "Number of input and output tokens used by llama.cpp requests.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });

    internal static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        OperationDurationInstrument,
        unit: "s",
        description: "Duration of llama.cpp chat and embedding requests.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });

    internal static readonly Histogram<double> TimeToFirstToken = Meter.CreateHistogram<double>(
        TimeToFirstTokenInstrument,
        unit: "s",
        description: "Time from a llama.cpp chat call to its first generated token.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0] });

    internal static readonly Histogram<double> TimePerOutputToken = Meter.CreateHistogram<double>(
        TimePerOutputTokenInstrument,
        unit: "s",
        description: "Time per output token after the first in llama.cpp chat calls.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5] });

    internal static readonly Histogram<double> ModelLoadDuration = Meter.CreateHistogram<double>(
        ModelLoadDurationInstrument,
        unit: "s",
        description: "Duration of GGUF model loads.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });

    /// <summary>Gets whether anyone listens to a request's span or metrics.</summary>
    internal static bool IsRequestObserved =>
        Source.HasListeners() || OperationDuration.Enabled || TokenUsage.Enabled || TimeToFirstToken.Enabled || TimePerOutputToken.Enabled;

    /// <summary>Measures a model load; the span <c>load_model</c> and the load-duration histogram.</summary>
    /// <param name="path">The file, whose name stands for the model id when the load fails.</param>
    /// <param name="load">The load.</param>
    /// <returns>The loaded model.</returns>
    internal static LlamaModel MeasureLoad(string path, Func<LlamaModel> load)
    {
        if (!Source.HasListeners() && !ModelLoadDuration.Enabled)
        {
            return load();
        }

        var started = Stopwatch.GetTimestamp();
        using var activity = Source.StartActivity("load_model", ActivityKind.Internal);
        try
        {
            var model = load();
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag("gen_ai.provider.name", ProviderName);
                activity.SetTag("gen_ai.request.model", model.ModelId);
                activity.SetTag("chains.llama.architecture", model.Info.Architecture);
                activity.SetTag("chains.llama.gpu_layers", model.GpuLayerCount);
                activity.SetTag("chains.llama.context_size", model.ContextSize);
            }

            RecordLoad(started, model.ModelId, null);
            return model;
        }
        catch (Exception ex)
        {
            var errorType = ex.GetType().FullName;
            if (activity is not null)
            {
                activity.SetTag("gen_ai.request.model", System.IO.Path.GetFileNameWithoutExtension(path));
                activity.SetTag("error.type", errorType);
                activity.SetStatus(ActivityStatusCode.Error, ex.Message);
            }

            RecordLoad(started, System.IO.Path.GetFileNameWithoutExtension(path), errorType);
            throw;
        }
    }

    /// <summary>Records the duration of a request and, when it succeeded, its token usage.</summary>
    internal static void RecordRequest(string operation, string model, long started, long ended, string? errorType, int? inputTokens, int? outputTokens)
    {
        if (OperationDuration.Enabled)
        {
            var tags = RequestTags(operation, model, errorType);
            OperationDuration.Record(Stopwatch.GetElapsedTime(started, ended).TotalSeconds, tags);
        }

        if (TokenUsage.Enabled && errorType is null)
        {
            if (inputTokens is { } input)
            {
                var tags = RequestTags(operation, model, null);
                tags.Add("gen_ai.token.type", "input");
                TokenUsage.Record(input, tags);
            }

            if (outputTokens is { } output)
            {
                var tags = RequestTags(operation, model, null);
                tags.Add("gen_ai.token.type", "output");
                TokenUsage.Record(output, tags);
            }
        }
    }

    /// <summary>The tags every request metric carries.</summary>
    internal static TagList RequestTags(string operation, string model, string? errorType)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", operation },
            { "gen_ai.provider.name", ProviderName },
            { "gen_ai.request.model", model },
            { "gen_ai.response.model", model },
        };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        return tags;
    }

    /// <summary>Ends a span for a failed request: <c>error.type</c> and an error status (cancellation included).</summary>
    internal static void SetError(Activity? activity, Exception error)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("error.type", error.GetType().FullName);
        activity.SetStatus(ActivityStatusCode.Error, error is OperationCanceledException ? "cancelled" : error.Message);
    }

    private static void RecordLoad(long started, string model, string? errorType)
    {
        if (!ModelLoadDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "gen_ai.provider.name", ProviderName },
            { "gen_ai.request.model", model },
        };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        ModelLoadDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }
}
