namespace Chains.LLamaSharp.Tests.Support;

/// <summary>What a generated test model looks like.</summary>
internal sealed record TinyModelSpec
{
    public string Architecture { get; init; } = "llama";

    public string? Name { get; init; } = "tiny-test-llama";

    /// <summary>The Jinja chat template written to <c>tokenizer.chat_template</c>; <see langword="null"/> writes none.</summary>
    public string? ChatTemplate { get; init; } = TinyModel.ChatMlTemplate;

    public int ContextLength { get; init; } = 2048;

    public int EmbeddingLength { get; init; } = 64;

    public int BlockCount { get; init; } = 2;

    public int FeedForwardLength { get; init; } = 128;

    public int HeadCount { get; init; } = 4;

    public int HeadCountKv { get; init; } = 2;

    public ulong WeightSeed { get; init; } = 42;

    /// <summary>Scales the output projection: larger values make the next-token distribution peakier.</summary>
    public float OutputScale { get; init; } = 0.35f;
}

/// <summary>
/// A deterministic tiny llama-architecture GGUF (F32, ~300-token SentencePiece vocabulary with all 256 byte tokens and
/// the ChatML control tokens) that llama.cpp loads in milliseconds. Random weights: output is gibberish, but every code
/// path of the real engine runs.
/// </summary>
internal static class TinyModel
{
    public const string ChatMlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    public const int UnknownId = 0;
    public const int BosId = 1;
    public const int EosId = 2;
    public const int FirstByteId = 3;
    public const int ImStartId = 259;
    public const int ImEndId = 260;

    private static readonly Lazy<string> s_default = new(() => Write(new TinyModelSpec(), "tiny-default.gguf"));
    private static readonly string s_directory = CreateDirectory();

    /// <summary>Gets the path of the default model (written once per test run).</summary>
    public static string DefaultPath => s_default.Value;

    public static string Directory => s_directory;

    /// <summary>The vocabulary: pieces, scores and token types (1 normal, 2 unknown, 3 control, 6 byte).</summary>
    public static (List<string> Tokens, List<float> Scores, List<int> Types) Vocabulary()
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var scores = new List<float> { 0, 0, 0 };
        var types = new List<int> { 2, 3, 3 };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            scores.Add(0);
            types.Add(6);
        }

        tokens.Add("<|im_start|>");
        tokens.Add("<|im_end|>");
        scores.AddRange([0, 0]);
        types.AddRange([3, 3]);

        void Normal(string piece, float score)
        {
            tokens.Add(piece);
            scores.Add(score);
            types.Add(1);
        }

        Normal("\u2581", -2);
        for (var c = 'a'; c <= 'z'; c++)
        {
            Normal(c.ToString(), -3);
        }

        for (var c = '0'; c <= '9'; c++)
        {
            Normal(c.ToString(), -3);
        }

        foreach (var word in new[] { "\u2581the", "\u2581hello", "\u2581world", "user", "assistant", "system", "tool", "\u2581is", "\u2581Paris", "\u2581weather", "{\"", "\":", "\u2581\"" })
        {
            Normal(word, -1);
        }

        return (tokens, scores, types);
    }

    /// <summary>Writes a model with the given spec into the shared test directory.</summary>
    public static string Write(TinyModelSpec spec, string fileName)
    {
        var path = Path.Combine(s_directory, fileName);
        CreateWriter(spec).Write(path);
        return path;
    }

    /// <summary>Builds the writer for <paramref name="spec"/> (metadata and tensors).</summary>
    public static GgufWriter CreateWriter(TinyModelSpec spec)
    {
        var (tokens, scores, types) = Vocabulary();
        var arch = spec.Architecture;
        var nEmbd = spec.EmbeddingLength;
        var nFf = spec.FeedForwardLength;
        var nHeadKv = spec.HeadCountKv;
        var nEmbdKv = nEmbd / spec.HeadCount * nHeadKv;
        var nVocab = tokens.Count;
        var w = new GgufWriter()
            .Add("general.architecture", arch)
            .Add("general.file_type", 0u)
            .Add($"{arch}.context_length", (uint)spec.ContextLength)
            .Add($"{arch}.embedding_length", (uint)nEmbd)
            .Add($"{arch}.block_count", (uint)spec.BlockCount)
            .Add($"{arch}.feed_forward_length", (uint)nFf)
            .Add($"{arch}.attention.head_count", (uint)spec.HeadCount)
            .Add($"{arch}.attention.head_count_kv", (uint)nHeadKv)
            .Add($"{arch}.attention.layer_norm_rms_epsilon", 1e-5f)
            .Add($"{arch}.rope.freq_base", 10000f)
            .Add("tokenizer.ggml.model", "llama")
            .Add("tokenizer.ggml.tokens", tokens)
            .Add("tokenizer.ggml.scores", scores)
            .Add("tokenizer.ggml.token_type", types)
            .Add("tokenizer.ggml.bos_token_id", (uint)BosId)
            .Add("tokenizer.ggml.eos_token_id", (uint)ImEndId)
            .Add("tokenizer.ggml.unknown_token_id", (uint)UnknownId)
            .Add("tokenizer.ggml.add_bos_token", false)
            .Add("tokenizer.ggml.add_space_prefix", false);
        if (spec.Name is not null)
        {
            w.Add("general.name", spec.Name);
        }

        if (spec.ChatTemplate is not null)
        {
            w.Add("tokenizer.chat_template", spec.ChatTemplate);
        }

        var seed = spec.WeightSeed;
        Func<long, float> Random(string name, float scale)
        {
            var tensorSeed = Mix(seed, name);
            return i => scale * Uniform(tensorSeed, (ulong)i);
        }

        static float One(long i) => 1f;

        w.AddTensor("token_embd.weight", [nEmbd, nVocab], Random("token_embd", 1f));
        w.AddTensor("output_norm.weight", [nEmbd], One);
        var outputRandom = Random("output", spec.OutputScale);
        w.AddTensor("output.weight", [nEmbd, nVocab], outputRandom);
        var attnScale = 1f / MathF.Sqrt(nEmbd);
        for (var b = 0; b < spec.BlockCount; b++)
        {
            w.AddTensor($"blk.{b}.attn_norm.weight", [nEmbd], One);
            w.AddTensor($"blk.{b}.attn_q.weight", [nEmbd, nEmbd], Random($"q{b}", attnScale * 2));
            w.AddTensor($"blk.{b}.attn_k.weight", [nEmbd, nEmbdKv], Random($"k{b}", attnScale * 2));
            w.AddTensor($"blk.{b}.attn_v.weight", [nEmbd, nEmbdKv], Random($"v{b}", attnScale * 2));
            w.AddTensor($"blk.{b}.attn_output.weight", [nEmbd, nEmbd], Random($"o{b}", attnScale));
            w.AddTensor($"blk.{b}.ffn_norm.weight", [nEmbd], One);
            w.AddTensor($"blk.{b}.ffn_gate.weight", [nEmbd, nFf], Random($"g{b}", attnScale * 2));
            w.AddTensor($"blk.{b}.ffn_up.weight", [nEmbd, nFf], Random($"u{b}", attnScale * 2));
            w.AddTensor($"blk.{b}.ffn_down.weight", [nFf, nEmbd], Random($"d{b}", 1f / MathF.Sqrt(nFf)));
        }

        return w;
    }

    /// <summary>Writes a LoRA adapter for the default model shape that perturbs every attention query/value projection.</summary>
    public static string WriteLora(string fileName, int rank = 4, float alpha = 4, ulong seed = 7, TinyModelSpec? spec = null)
    {
        spec ??= new TinyModelSpec();
        var nEmbd = spec.EmbeddingLength;
        var nEmbdKv = nEmbd / spec.HeadCount * spec.HeadCountKv;
        var w = new GgufWriter()
            .Add("general.architecture", spec.Architecture)
            .Add("general.type", "adapter")
            .Add("adapter.type", "lora")
            .Add("adapter.lora.alpha", alpha);
        for (var b = 0; b < spec.BlockCount; b++)
        {
            var aSeed = Mix(seed, $"a{b}");
            var bSeed = Mix(seed, $"b{b}");
            var vaSeed = Mix(seed, $"va{b}");
            var vbSeed = Mix(seed, $"vb{b}");
            w.AddTensor($"blk.{b}.attn_q.weight.lora_a", [nEmbd, rank], i => Uniform(aSeed, (ulong)i));
            w.AddTensor($"blk.{b}.attn_q.weight.lora_b", [rank, nEmbd], i => Uniform(bSeed, (ulong)i));
            w.AddTensor($"blk.{b}.attn_v.weight.lora_a", [nEmbd, rank], i => Uniform(vaSeed, (ulong)i));
            w.AddTensor($"blk.{b}.attn_v.weight.lora_b", [rank, nEmbdKv], i => Uniform(vbSeed, (ulong)i));
        }

        var path = Path.Combine(s_directory, fileName);
        w.Write(path);
        return path;
    }

    private static ulong Mix(ulong seed, string name)
    {
        var h = seed ^ 0xCBF29CE484222325UL;
        foreach (var c in name)
        {
            h = (h ^ c) * 0x100000001B3UL;
        }

        return h;
    }

    /// <summary>A stateless uniform value in [-1, 1) from a seed and an index (SplitMix64).</summary>
    private static float Uniform(ulong seed, ulong index)
    {
        var z = seed + (index + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (float)((z >> 40) / (double)(1UL << 24) * 2.0 - 1.0);
    }

    private static string CreateDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "chains-llama-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        System.IO.Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return dir;
    }
}
