using System.Threading.Channels;
using LLama.Native;

namespace Chains.LLamaSharp.Inference;

/// <summary>How tokens are chosen for one request.</summary>
internal sealed record SamplingSettings
{
    /// <summary>Gets the temperature; 0 picks the most likely token (greedy).</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Gets the top-k cut-off; 0 disables it.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Gets the nucleus cut-off; 1 disables it.</summary>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Gets the min-p cut-off; 0 disables it.</summary>
    public float MinP { get; init; } = 0.05f;

    /// <summary>Gets the repetition penalty; 1 disables it.</summary>
    public float RepeatPenalty { get; init; } = 1f;

    /// <summary>Gets the frequency penalty; 0 disables it.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>Gets the presence penalty; 0 disables it.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>Gets how many recent tokens the penalties look at.</summary>
    public int PenaltyLastN { get; init; } = 64;

    /// <summary>Gets the seed of the random sampler.</summary>
    public uint Seed { get; init; }

    /// <summary>Gets the validated GBNF grammar the output must match (root rule <c>root</c>), if any.</summary>
    public string? Grammar { get; init; }
}

/// <summary>One generation request queued on an <see cref="InferenceEngine"/>. Text comes out of <see cref="Output"/>
/// as it is produced; the counters are final once the channel completes.</summary>
internal sealed class GenerationRequest
{
    private static long s_nextId;

    public GenerationRequest(LLamaToken[] prompt, SamplingSettings sampling, int maxTokens, IReadOnlyList<string> stopSequences, CancellationToken cancellationToken, bool buffered = false)
    {
        BufferedText = buffered ? new System.Text.StringBuilder() : null;
        Prompt = prompt;
        Sampling = sampling;
        MaxTokens = maxTokens;
        Stops = new StopSequenceMatcher(stopSequences);
        CancellationToken = cancellationToken;
        Id = Interlocked.Increment(ref s_nextId);
    }

    public long Id { get; }

    public LLamaToken[] Prompt { get; }

    public SamplingSettings Sampling { get; }

    public int MaxTokens { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Gets the whole text when the request is buffered (non-streaming: no per-token hand-off to the caller);
    /// <see cref="Output"/> then only signals completion.</summary>
    public System.Text.StringBuilder? BufferedText { get; }

    /// <summary>Gets the text deltas (whole characters only, stop sequences removed).</summary>
    public Channel<string> Output { get; } = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>Gets why generation ended (valid after completion).</summary>
    public GenerationFinish Finish { get; internal set; }

    /// <summary>Gets the prompt tokens reused from the KV cache (not evaluated again).</summary>
    public int CachedPromptTokens { get; internal set; }

    /// <summary>Gets the tokens generated.</summary>
    public int GeneratedTokens { get; internal set; }

    /// <summary>Gets the tick at which the first token was sampled, for time-to-first-token measurements.</summary>
    public long FirstTokenTimestamp { get; internal set; }

    // Worker state, touched only by the engine thread.
    internal int SlotIndex { get; set; } = -1;

    internal int PrefillPosition { get; set; }

    internal LLamaToken NextToken { get; set; }

    internal int LogitsIndex { get; set; } = -1;

    internal SafeLLamaSamplerChainHandle? Sampler { get; set; }

    internal Utf8TextDecoder Decoder { get; } = new();

    internal Utf8Guard.State Utf8State { get; set; }

    internal StopSequenceMatcher Stops { get; }

    internal LLamaTokenData[]? Candidates { get; set; }

    internal bool IsPrefilling => PrefillPosition < Prompt.Length;
}

/// <summary>Why a generation ended.</summary>
internal enum GenerationFinish
{
    /// <summary>Not finished.</summary>
    None,

    /// <summary>The model produced an end-of-generation token, or a stop sequence matched.</summary>
    Stop,

    /// <summary>The token limit or the context was reached.</summary>
    Length,
}
