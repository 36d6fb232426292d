using Microsoft.Extensions.Logging;

namespace Chains.LLamaSharp;

/// <summary>The log messages of the package. Prompt and completion text is logged only at Trace level.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "LlamaNative", Message = "{Message}")]
    public static partial void NativeMessage(ILogger logger, LogLevel level, string message);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Loaded {ModelId} ({Architecture}, {Parameters} parameters, {Quantization}) with {GpuLayers} GPU layers, context {ContextSize} x {Sequences} sequences")]
    public static partial void ModelLoaded(ILogger logger, string modelId, string architecture, long parameters, string quantization, int gpuLayers, int contextSize, int sequences);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Request {RequestId}: {PromptTokens} prompt tokens, {CachedTokens} reused from the KV cache of sequence {Sequence}")]
    public static partial void RequestStarted(ILogger logger, long requestId, int promptTokens, int cachedTokens, int sequence);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Request {RequestId} finished ({FinishReason}): {OutputTokens} tokens")]
    public static partial void RequestFinished(ILogger logger, long requestId, Inference.GenerationFinish finishReason, int outputTokens);

    [LoggerMessage(EventId = 5, Level = LogLevel.Trace, Message = "Request {RequestId} prompt: {Prompt}")]
    public static partial void Prompt(ILogger logger, long requestId, string prompt);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "The chat template of {ModelId} is not one llama.cpp can apply; falling back to ChatML")]
    public static partial void TemplateFallback(ILogger logger, string modelId);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "llama_decode failed with {Result}; failing the {Count} requests in the batch")]
    public static partial void DecodeFailed(ILogger logger, string result, int count);
}
