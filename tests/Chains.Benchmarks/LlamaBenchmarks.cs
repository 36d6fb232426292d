using System.Text;
using BenchmarkDotNet.Attributes;
using Chains.LLamaSharp;
using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;
using Microsoft.Extensions.AI;

namespace Chains.Benchmarks;

/// <summary>Generation throughput: Chains' <see cref="IChatClient"/> over a loaded model against a hand-written
/// LLamaSharp loop (context, <see cref="LLamaBatch"/>, native greedy sampler chain, streaming detokenizer) producing
/// the same number of tokens from the same cached prompt. Like with like: the same model (the medium and the
/// realistic bench model, where model time dominates), the same context settings (size, batch, threads, flash attention
/// off), greedy sampling on both sides, no grammar, exactly <see cref="Tokens"/> tokens each. Target: ratio ≥ 0.97× the
/// baseline's tokens/s, i.e. Chat/Raw time ≤ 1.03.</summary>
[BenchmarkCategory("llama")]
[IterationCount(20)]
public class LlamaThroughputBenchmarks
{
    private const int Tokens = 64;
    private LlamaModel _model = null!;
    private IChatClient _client = null!;
    private ChatOptions _options = null!;
    private string _question = null!;
    private LLamaWeights _weights = null!;
    private LLamaContext _context = null!;
    private LLamaToken[] _prompt = null!;
    private readonly LLamaBatch _batch = new();

    /// <summary>The model the two sides run.</summary>
    [Params(BenchModelShape.Medium, BenchModelShape.Realistic)]
    public BenchModelShape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var path = BenchModel.PathOf(Shape);
        _model = LlamaModel.Load(path, new LlamaModelOptions { ContextSize = 512, MaxConcurrentRequests = 1, Threads = 1, BatchSize = 256, FlashAttention = false });
        _client = _model.AsChatClient();

        // Greedy decoding is deterministic: find a question whose greedy answer runs to the token limit, so the client
        // produces exactly as many tokens as the raw loop (which ignores end-of-generation).
        _options = new ChatOptions { Temperature = 0, MaxOutputTokens = Tokens };
        for (var i = 0; ; i++)
        {
            _question = $"{BenchModel.Question} ({i})";
            var response = _client.GetResponseAsync(_question, _options).GetAwaiter().GetResult();
            if (response.FinishReason == ChatFinishReason.Length && response.Usage?.OutputTokenCount == Tokens)
            {
                break;
            }

            if (i == 100)
            {
                throw new InvalidOperationException("No question among 100 makes the greedy answer run to the token limit.");
            }
        }

        // Memory-mapped like LlamaModel's default, so both sides read the same page-cache copy of the weights (a
        // single-token decode streams every weight, so where they sit in memory shows in tokens/s).
        var parameters = new ModelParams(path) { ContextSize = 512, Threads = 1, BatchThreads = 1, BatchSize = 256, UBatchSize = 256, FlashAttention = false, LoadMode = LLamaLoadMode.MemoryMap };
        _weights = LLamaWeights.LoadFromFile(parameters);
        _context = _weights.CreateContext(parameters);
        var rendered = Encoding.UTF8.GetString(new LLamaTemplate(_weights, strict: false) { AddAssistant = true }.Add("user", _question).Apply());
        _prompt = _context.Tokenize(rendered, addBos: false, special: true);
        _batch.AddRange(_prompt.AsSpan(0, _prompt.Length - 1), 0, LLamaSeqId.Zero, false);
        _context.NativeHandle.Decode(_batch);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _model.Dispose();
        _context.Dispose();
        _weights.Dispose();
    }

    /// <summary>The raw loop: re-evaluate the last prompt token (like the cached path), then sample greedily and decode
    /// one token at a time.</summary>
    [Benchmark(Baseline = true)]
    public string Raw()
    {
        var handle = _context.NativeHandle;
        handle.MemorySequenceRemove(LLamaSeqId.Zero, _prompt.Length - 1, -1);
        using var sampler = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
        sampler.AddGreedySampler();
        var decoder = new StreamingTokenDecoder(_context);
        var text = new StringBuilder();
        var position = _prompt.Length - 1;
        var next = _prompt[^1];
        for (var i = 0; i < Tokens; i++)
        {
            _batch.Clear();
            _batch.Add(next, position++, LLamaSeqId.Zero, true);
            handle.Decode(_batch);
            next = sampler.Sample(handle, _batch.TokenCount - 1);
            decoder.Add(next);
            text.Append(decoder.Read());
        }

        return text.ToString();
    }

    [Benchmark]
    public async Task<string> Chat() => (await _client.GetResponseAsync(_question, _options)).Text;
}

/// <summary>Time to first token as a conversation grows: at turn 20 with the history's KV cache reused only the new
/// exchange is evaluated; the re-prefilling rows show what reuse saves. The <c>DecodeOnly</c> rows are the floor:
/// llama.cpp alone decoding the same new tokens over the same cached history (no rendering, tokenizing or client).
/// Attention over the longer history makes turn 20's new tokens cost more than turn 2's, by a share that shrinks as the
/// weights grow: on the tiny and medium shapes (feed-forward width 128 and 512) it dominates, on the realistic shape
/// (width 1024, feed-forward 2816, head dimension 128: a 7B model's proportions) it is a fraction of each token's
/// work. Compare Turn20Reused/Turn2Reused with Turn20DecodeOnly/Turn2DecodeOnly, and TurnNReused with
/// TurnNDecodeOnly (the client's own overhead). Target on the realistic shape: Turn20Reused ≤ 1.5× Turn2Reused.</summary>
[BenchmarkCategory("llama")]
[IterationCount(20)]
public class LlamaPrefixReuseBenchmarks
{
    private LlamaModel _model = null!;
    private IChatClient _client = null!;
    private readonly ChatOptions _firstToken = new() { MaxOutputTokens = 1, Temperature = 0 };
    private List<ChatMessage> _history = null!;
    private LLamaWeights _weights = null!;
    private LLamaContext _context = null!;
    private SafeLLamaSamplerChainHandle _greedy = null!;
    private readonly LLamaBatch _batch = new();
    private readonly Dictionary<int, (LLamaToken[] Tokens, int Cached)> _turnTokens = [];
    private int _primedTurn;

    /// <summary>The model both the client and the raw floor run.</summary>
    [Params(BenchModelShape.Tiny, BenchModelShape.Medium, BenchModelShape.Realistic)]
    public BenchModelShape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var path = BenchModel.PathOf(Shape);
        _model = LlamaModel.Load(path, new LlamaModelOptions { ContextSize = 2048, MaxConcurrentRequests = 1, Threads = 1, BatchSize = 512, FlashAttention = false });
        _client = _model.AsChatClient();
        _history = [new ChatMessage(ChatRole.System, "You are a helpful assistant.")];
        for (var turn = 1; turn <= 20; turn++)
        {
            _history.Add(new ChatMessage(ChatRole.User, $"q{turn}: weather in paris?"));
            _history.Add(new ChatMessage(ChatRole.Assistant, $"a{turn}: it is fine"));
        }

        var parameters = new ModelParams(path) { ContextSize = 2048, Threads = 1, BatchThreads = 1, BatchSize = 512, UBatchSize = 512, FlashAttention = false, LoadMode = LLamaLoadMode.MemoryMap };
        _weights = LLamaWeights.LoadFromFile(parameters);
        _context = _weights.CreateContext(parameters);
        _greedy = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
        _greedy.AddGreedySampler();
        foreach (var turn in new[] { 2, 20 })
        {
            var previous = Tokenize(Turn(turn - 1));
            var current = Tokenize(Turn(turn));
            var common = 0;
            while (common < previous.Length && previous[common] == current[common])
            {
                common++;
            }

            _turnTokens[turn] = (current, common);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _model.Dispose();
        _greedy.Dispose();
        _context.Dispose();
        _weights.Dispose();
    }

    /// <summary>The cache holds the conversation up to the previous turn, as it does when a chat continues.</summary>
    [IterationSetup(Targets = [nameof(Turn2Reused)])]
    public void CacheTurn1() => Prime(Turn(1));

    [IterationSetup(Targets = [nameof(Turn20Reused)])]
    public void CacheTurn19() => Prime(Turn(19));

    /// <summary>The cache holds another conversation: the whole history is evaluated again.</summary>
    [IterationSetup(Targets = [nameof(Turn2Prefilled), nameof(Turn20Prefilled)])]
    public void CacheOther() => Prime([new ChatMessage(ChatRole.User, "something else entirely")]);

    [IterationSetup(Targets = [nameof(Turn2DecodeOnly)])]
    public void RawCacheTurn1() => PrimeRaw(2);

    [IterationSetup(Targets = [nameof(Turn20DecodeOnly)])]
    public void RawCacheTurn19() => PrimeRaw(20);

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Turn2Reused() => _client.GetResponseAsync(Turn(2), _firstToken);

    [Benchmark]
    public Task<ChatResponse> Turn20Reused() => _client.GetResponseAsync(Turn(20), _firstToken);

    [Benchmark]
    public Task<ChatResponse> Turn2Prefilled() => _client.GetResponseAsync(Turn(2), _firstToken);

    [Benchmark]
    public Task<ChatResponse> Turn20Prefilled() => _client.GetResponseAsync(Turn(20), _firstToken);

    [Benchmark]
    public LLamaToken Turn2DecodeOnly() => DecodeNew(2);

    [Benchmark]
    public LLamaToken Turn20DecodeOnly() => DecodeNew(20);

    /// <summary>The messages of a request at <paramref name="turn"/>: history up to that turn's question.</summary>
    private List<ChatMessage> Turn(int turn) => _history.Take(1 + (2 * turn) - 1).ToList();

    private void Prime(List<ChatMessage> messages) => _client.GetResponseAsync(messages, _firstToken).GetAwaiter().GetResult();

    private LLamaToken[] Tokenize(List<ChatMessage> messages)
    {
        var template = new LLamaTemplate(_weights, strict: false) { AddAssistant = true };
        foreach (var message in messages)
        {
            template.Add(message.Role.Value, message.Text);
        }

        return _context.Tokenize(Encoding.UTF8.GetString(template.Apply()), addBos: false, special: true);
    }

    /// <summary>Fills the raw context with the tokens the previous turn left in the cache.</summary>
    private void PrimeRaw(int turn)
    {
        if (_primedTurn == turn)
        {
            return;
        }

        var (tokens, cached) = _turnTokens[turn];
        var handle = _context.NativeHandle;
        handle.MemorySequenceRemove(LLamaSeqId.Zero, 0, -1);
        for (var start = 0; start < cached; start += 512)
        {
            _batch.Clear();
            var count = Math.Min(512, cached - start);
            _batch.AddRange(tokens.AsSpan(start, count), start, LLamaSeqId.Zero, false);
            handle.Decode(_batch);
        }

        _primedTurn = turn;
    }

    /// <summary>Evaluates the tokens after the cached prefix and samples the first answer token.</summary>
    private LLamaToken DecodeNew(int turn)
    {
        var (tokens, cached) = _turnTokens[turn];
        var handle = _context.NativeHandle;
        handle.MemorySequenceRemove(LLamaSeqId.Zero, cached, -1);
        _batch.Clear();
        for (var i = cached; i < tokens.Length; i++)
        {
            _batch.Add(tokens[i], i, LLamaSeqId.Zero, i == tokens.Length - 1);
        }

        handle.Decode(_batch);
        return _greedy.Sample(handle, _batch.TokenCount - 1);
    }
}

/// <summary>The cost of grammar-constrained tool calls at the first token: the same cached prompt answered plainly
/// (baseline) and with a tool call required (grammar built from the tool's JSON schema — cached after the first
/// request — and set up in llama.cpp's sampler). <c>BuildGrammar</c> is the schema → GBNF conversion and validation
/// that the cache saves on every request after the first.</summary>
[BenchmarkCategory("llama")]
public class LlamaGrammarBenchmarks
{
    private LlamaModel _model = null!;
    private IChatClient _client = null!;
    private AIFunction _tool = null!;
    private ChatOptions _plain = null!;
    private ChatOptions _tools = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Two sequences: each prompt keeps its own KV cache, so both rows evaluate only the last prompt token.
        _model = LlamaModel.Load(BenchModel.Path, new LlamaModelOptions { ContextSize = 2048, MaxConcurrentRequests = 2, Threads = 1, BatchSize = 512, FlashAttention = false });
        _client = _model.AsChatClient();
        _tool = AIFunctionFactory.Create(
            (string city, int days, bool metric, string[] details) => $"{city} {days} {metric} {details.Length}",
            "get_forecast",
            "Gets the weather forecast for a city.");
        _plain = new ChatOptions { MaxOutputTokens = 1, Temperature = 0 };
        _tools = new ChatOptions { MaxOutputTokens = 1, Temperature = 0, Tools = [_tool], ToolMode = ChatToolMode.RequireAny };
        Plain().GetAwaiter().GetResult();
        WithToolGrammar().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _model.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Plain() => _client.GetResponseAsync(BenchModel.Question, _plain);

    [Benchmark]
    public Task<ChatResponse> WithToolGrammar() => _client.GetResponseAsync(BenchModel.Question, _tools);

    [Benchmark]
    public GbnfGrammar BuildGrammar() => GbnfGrammar.FromJsonSchema(_tool.JsonSchema);
}

/// <summary>Four sessions at once on one loaded model (one batched decode per step) against the same four one after
/// another. Target: Concurrent4 takes ≤ 0.5× the sequential time (≥ 2× the throughput).</summary>
[BenchmarkCategory("llama")]
public class LlamaConcurrencyBenchmarks
{
    private LlamaModel _model = null!;
    private IChatClient _client = null!;
    private ChatOptions[] _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = LlamaModel.Load(BenchModel.Path, new LlamaModelOptions { ContextSize = 512, MaxConcurrentRequests = 4, Threads = 1, BatchSize = 256 });
        _client = _model.AsChatClient();

        // Each answer is exactly 32 single-token letters, so both sides do the same work.
        var grammar = GbnfGrammar.Parse("root ::= [bcdfghjkpqvwxz]{32}");
        _options = [.. Enumerable.Range(0, 4).Select(i => new ChatOptions { Seed = i, MaxOutputTokens = 40 }.WithGrammar(grammar))];
        Sequential().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _model.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> Sequential()
    {
        var total = 0;
        for (var i = 0; i < 4; i++)
        {
            total += (await _client.GetResponseAsync($"session {i}: {BenchModel.Question}", _options[i])).Text.Length;
        }

        return total;
    }

    [Benchmark]
    public async Task<int> Concurrent4()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => _client.GetResponseAsync($"session {i}: {BenchModel.Question}", _options[i])));
        return responses.Sum(r => r.Text.Length);
    }
}

/// <summary>The bench models' shapes (see <see cref="BenchModel"/>).</summary>
public enum BenchModelShape
{
    /// <summary>The tests' shape: 2 blocks of width 64 (4 heads of 16), feed-forward 128.</summary>
    Tiny,

    /// <summary>4 blocks of width 256 (4 heads of 64), feed-forward 512; about 10 MB.</summary>
    Medium,

    /// <summary>A 7B model's proportions in 2 blocks: width 1024, feed-forward 2816 (2.75×), 8 heads of 128 with 2
    /// KV heads (grouped-query attention); about 90 MB.</summary>
    Realistic,
}

/// <summary>Writes the same kind of model the tests generate: llama architecture, F32, a 311-token SentencePiece
/// vocabulary with byte tokens and ChatML control tokens, deterministic random weights. The tiny shape is fast, but its
/// per-token work is so small that overheads and attention dominate; the medium shape's weights dominate short
/// contexts; the realistic shape has a real model's ratio of weights to attention (feed-forward 2.75× the width,
/// head dimension 128), so attention over a long history costs what it costs in a 7B model — a fraction of each
/// token's work. Each file is written once per shape (deterministic content) into the temp folder and kept there, so
/// BenchmarkDotNet's benchmark processes and later runs share it.</summary>
internal static class BenchModel
{
    public const string Question = "What is the weather in Paris today, and should I take an umbrella?";

    private static readonly Lazy<string> s_path = new(() => Write(embd: 64, ff: 128, blocks: 2, heads: 4, kvHeads: 2, "tiny"));
    private static readonly Lazy<string> s_medium = new(() => Write(embd: 256, ff: 512, blocks: 4, heads: 4, kvHeads: 2, "medium"));
    private static readonly Lazy<string> s_realistic = new(() => Write(embd: 1024, ff: 2816, blocks: 2, heads: 8, kvHeads: 2, "realistic"));

    public static string Path => s_path.Value;

    public static string PathOf(BenchModelShape shape) => shape switch
    {
        BenchModelShape.Tiny => s_path.Value,
        BenchModelShape.Medium => s_medium.Value,
        BenchModelShape.Realistic => s_realistic.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "Not a bench model shape."),
    };

    private static string Write(int embd, int ff, int blocks, int heads, int kvHeads, string label)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"chains-bench-{label}-{embd}x{blocks}-ff{ff}-h{heads}kv{kvHeads}-v2.gguf");
        if (File.Exists(path))
        {
            return path;
        }

        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { 2, 3, 3 };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(6);
        }

        tokens.AddRange(["<|im_start|>", "<|im_end|>", "\u2581"]);
        types.AddRange([3, 3, 1]);
        foreach (var piece in Enumerable.Range('a', 26).Concat(Enumerable.Range('0', 10)).Select(c => ((char)c).ToString()))
        {
            tokens.Add(piece);
            types.Add(1);
        }

        int Embd = embd, Ff = ff, Blocks = blocks, Heads = heads, KvHeads = kvHeads;
        var kv = Embd / Heads * KvHeads;
        var meta = new List<(string Key, uint Type, Action<BinaryWriter> Write)>
        {
            ("general.architecture", 8, w => Str(w, "llama")),
            ("general.name", 8, w => Str(w, $"bench-{label}-llama")),
            ("llama.context_length", 4, w => w.Write(2048u)),
            ("llama.embedding_length", 4, w => w.Write((uint)Embd)),
            ("llama.block_count", 4, w => w.Write((uint)Blocks)),
            ("llama.feed_forward_length", 4, w => w.Write((uint)Ff)),
            ("llama.attention.head_count", 4, w => w.Write((uint)Heads)),
            ("llama.attention.head_count_kv", 4, w => w.Write((uint)KvHeads)),
            ("llama.attention.layer_norm_rms_epsilon", 6, w => w.Write(1e-5f)),
            ("tokenizer.ggml.model", 8, w => Str(w, "llama")),
            ("tokenizer.ggml.tokens", 9, w => { w.Write(8u); w.Write((ulong)tokens.Count); tokens.ForEach(t => Str(w, t)); }),
            ("tokenizer.ggml.scores", 9, w => { w.Write(6u); w.Write((ulong)tokens.Count); tokens.ForEach(_ => w.Write(-1f)); }),
            ("tokenizer.ggml.token_type", 9, w => { w.Write(5u); w.Write((ulong)types.Count); types.ForEach(w.Write); }),
            ("tokenizer.ggml.bos_token_id", 4, w => w.Write(1u)),
            ("tokenizer.ggml.eos_token_id", 4, w => w.Write(260u)),
            ("tokenizer.ggml.add_bos_token", 7, w => w.Write((byte)0)),
            ("tokenizer.ggml.add_space_prefix", 7, w => w.Write((byte)0)),
            ("tokenizer.chat_template", 8, w => Str(w, "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")),
        };
        var tensors = new List<(string Name, long[] Shape, float Scale)>
        {
            ("token_embd.weight", [Embd, tokens.Count], 1f),
            ("output_norm.weight", [Embd], 0f),
            ("output.weight", [Embd, tokens.Count], 0.35f),
        };
        for (var b = 0; b < Blocks; b++)
        {
            tensors.AddRange(
            [
                ($"blk.{b}.attn_norm.weight", [Embd], 0f), ($"blk.{b}.attn_q.weight", [Embd, Embd], 0.25f),
                ($"blk.{b}.attn_k.weight", [Embd, kv], 0.25f), ($"blk.{b}.attn_v.weight", [Embd, kv], 0.25f),
                ($"blk.{b}.attn_output.weight", [Embd, Embd], 0.125f), ($"blk.{b}.ffn_norm.weight", [Embd], 0f),
                ($"blk.{b}.ffn_gate.weight", [Embd, Ff], 0.25f), ($"blk.{b}.ffn_up.weight", [Embd, Ff], 0.25f),
                ($"blk.{b}.ffn_down.weight", [Ff, Embd], 0.09f),
            ]);
        }

        // Written beside the final name and renamed into place, so a reader never sees a partial file.
        var partial = $"{path}.{Environment.ProcessId}.partial";
        using (var w = new BinaryWriter(File.Create(partial)))
        {
            w.Write("GGUF"u8);
            w.Write(3u);
            w.Write((ulong)tensors.Count);
            w.Write((ulong)meta.Count);
            foreach (var (key, type, write) in meta)
            {
                Str(w, key);
                w.Write(type);
                write(w);
            }

            long offset = 0;
            foreach (var (name, shape, _) in tensors)
            {
                Str(w, name);
                w.Write((uint)shape.Length);
                Array.ForEach(shape, d => w.Write((ulong)d));
                w.Write(0u);
                w.Write((ulong)offset);
                offset += (shape.Aggregate(1L, (a, b) => a * b) * 4 + 31) / 32 * 32;
            }

            Pad(w);
            var random = new Random(42);
            var values = new float[1 << 16];
            foreach (var (_, shape, scale) in tensors)
            {
                var count = shape.Aggregate(1L, (a, b) => a * b);
                for (long done = 0; done < count; done += values.Length)
                {
                    var n = (int)Math.Min(values.Length, count - done);
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = scale == 0f ? 1f : scale * (float)((random.NextDouble() * 2) - 1);
                    }

                    w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan(0, n)));
                }

                Pad(w);
            }
        }

        File.Move(partial, path, overwrite: true);
        return path;

        static void Str(BinaryWriter w, string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            w.Write((ulong)bytes.Length);
            w.Write(bytes);
        }

        static void Pad(BinaryWriter w)
        {
            w.Flush();
            while (w.BaseStream.Position % 32 != 0)
            {
                w.Write((byte)0);
            }
        }
    }
}
