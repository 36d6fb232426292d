namespace Chains.LLamaSharp;

/// <summary>Defaults of a chat client over a <see cref="LlamaModel"/>; each request's <c>ChatOptions</c> override them.</summary>
public sealed class LlamaChatClientOptions
{
    /// <summary>Gets the token limit of a response when the request sets none. Defaults to 1024.</summary>
    public int DefaultMaxOutputTokens { get; init; } = 1024;

    /// <summary>Gets the temperature when the request sets none (0 picks the most likely token). Defaults to 0.8.</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Gets the top-k cut-off when the request sets none (0 disables it). Defaults to 40.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Gets the nucleus (top-p) cut-off when the request sets none (1 disables it). Defaults to 0.95.</summary>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Gets the min-p cut-off (0 disables it). Defaults to 0.05.</summary>
    public float MinP { get; init; } = 0.05f;

    /// <summary>Gets the repetition penalty over the last 64 tokens (1 disables it). Defaults to 1.</summary>
    public float RepeatPenalty { get; init; } = 1f;

    /// <summary>Gets a chat template to use instead of the model's: a llama.cpp template name (<c>chatml</c>,
    /// <c>llama3</c>, <c>gemma</c>, <c>mistral-v7</c>...) or Jinja source llama.cpp recognises.</summary>
    public string? ChatTemplate { get; init; }

    internal void Validate()
    {
        if (DefaultMaxOutputTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultMaxOutputTokens), DefaultMaxOutputTokens, "LlamaChatClientOptions.DefaultMaxOutputTokens must be at least 1.");
        }

        if (!(Temperature >= 0) || !(TopP is > 0 and <= 1) || !(MinP is >= 0 and <= 1) || TopK < 0 || !(RepeatPenalty > 0))
        {
            throw new ArgumentOutOfRangeException(null, $"LlamaChatClientOptions has an out-of-range sampling value (Temperature {Temperature}, TopK {TopK}, TopP {TopP}, MinP {MinP}, RepeatPenalty {RepeatPenalty}).");
        }
    }
}
