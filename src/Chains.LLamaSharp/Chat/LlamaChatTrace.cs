using System.Diagnostics;
using Chains.LLamaSharp.Inference;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Chat;

/// <summary>The span and metrics of one chat request; created only while someone listens (see
/// <see cref="LlamaTelemetry"/>). Never records message text.</summary>
internal sealed class LlamaChatTrace : IDisposable
{
    private readonly string _model;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Activity? _activity;
    private bool _ended;

    private LlamaChatTrace(string model)
    {
        _model = model;
        _activity = LlamaTelemetry.Source.StartActivity("chat " + model, ActivityKind.Internal);
        if (_activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("gen_ai.operation.name", "chat");
            activity.SetTag("gen_ai.provider.name", LlamaTelemetry.ProviderName);
            activity.SetTag("gen_ai.request.model", model);
        }
    }

    /// <summary>Starts tracing a request, or returns <see langword="null"/> when nobody listens.</summary>
    public static LlamaChatTrace? Start(LlamaModel model) => LlamaTelemetry.IsRequestObserved ? new LlamaChatTrace(model.ModelId) : null;

    /// <summary>Records the effective request settings.</summary>
    public void Request(int maxTokens, SamplingSettings sampling)
    {
        if (_activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("gen_ai.request.max_tokens", maxTokens);
            activity.SetTag("gen_ai.request.temperature", (double)sampling.Temperature);
            activity.SetTag("gen_ai.request.top_p", (double)sampling.TopP);
            activity.SetTag("gen_ai.request.top_k", (double)sampling.TopK);
            activity.SetTag("gen_ai.request.seed", (long)sampling.Seed);
        }
    }

    /// <summary>Records a finished request: response tags, usage, and the duration, first-token and per-token metrics.</summary>
    public void Completed(GenerationRequest request, string responseId, ChatFinishReason finishReason)
    {
        var ended = Stopwatch.GetTimestamp();
        _ended = true;
        var input = request.Prompt.Length;
        var output = request.GeneratedTokens;
        if (_activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("gen_ai.response.id", responseId);
            activity.SetTag("gen_ai.response.model", _model);
            activity.SetTag("gen_ai.response.finish_reasons", new[] { finishReason.Value });
            activity.SetTag("gen_ai.usage.input_tokens", input);
            activity.SetTag("gen_ai.usage.output_tokens", output);
            activity.SetTag("gen_ai.usage.cache_read.input_tokens", request.CachedPromptTokens);
            activity.SetTag("chains.llama.cached_prompt_tokens", request.CachedPromptTokens);
        }

        LlamaTelemetry.RecordRequest("chat", _model, _started, ended, null, input, output);
        var first = request.FirstTokenTimestamp;
        if (first == 0)
        {
            return;
        }

        if (LlamaTelemetry.TimeToFirstToken.Enabled)
        {
            LlamaTelemetry.TimeToFirstToken.Record(Stopwatch.GetElapsedTime(_started, first).TotalSeconds, LlamaTelemetry.RequestTags("chat", _model, null));
        }

        if (output >= 2 && LlamaTelemetry.TimePerOutputToken.Enabled)
        {
            LlamaTelemetry.TimePerOutputToken.Record(Stopwatch.GetElapsedTime(first, ended).TotalSeconds / (output - 1), LlamaTelemetry.RequestTags("chat", _model, null));
        }
    }

    /// <summary>Records a failed request (cancellation included).</summary>
    public void Failed(Exception error)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        LlamaTelemetry.SetError(_activity, error);
        LlamaTelemetry.RecordRequest("chat", _model, _started, Stopwatch.GetTimestamp(), error.GetType().FullName, null, null);
    }

    /// <summary>Ends the span; a stream the caller stopped reading early is recorded without usage.</summary>
    public void Dispose()
    {
        if (!_ended)
        {
            _ended = true;
            LlamaTelemetry.RecordRequest("chat", _model, _started, Stopwatch.GetTimestamp(), null, null, null);
        }

        _activity?.Dispose();
    }
}
