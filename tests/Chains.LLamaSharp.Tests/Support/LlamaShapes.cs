namespace Chains.LLamaSharp.Tests.Support;

/// <summary>Header-only GGUF files with the tensor shapes of real models (no weights), for estimates without downloads.</summary>
internal static class LlamaShapes
{
    /// <summary>Writes a Llama-2-7B-shaped header: 32 layers, 4096 wide, 11008 FFN, 32 heads, 32000 tokens; matrices in
    /// <paramref name="matrixType"/> (1 = F16), norms in F32.</summary>
    public static string Llama2_7B(string fileName, uint matrixType = 1, int kvHeads = 32)
        => Write(fileName, blocks: 32, embd: 4096, ff: 11008, heads: 32, kvHeads: kvHeads, vocab: 32000, context: 4096, matrixType);

    public static string Write(string fileName, int blocks, int embd, int ff, int heads, int kvHeads, int vocab, int context, uint matrixType)
    {
        var kv = embd / heads * kvHeads;
        var w = new GgufWriter()
            .Add("general.architecture", "llama")
            .Add("general.name", "shape-only")
            .Add("general.file_type", matrixType == 1 ? 1u : 7u)
            .Add("llama.context_length", (uint)context)
            .Add("llama.embedding_length", (uint)embd)
            .Add("llama.block_count", (uint)blocks)
            .Add("llama.feed_forward_length", (uint)ff)
            .Add("llama.attention.head_count", (uint)heads)
            .Add("llama.attention.head_count_kv", (uint)kvHeads)
            .Add("llama.attention.layer_norm_rms_epsilon", 1e-5f)
            .Add("tokenizer.ggml.model", "llama")
            .Add("tokenizer.ggml.tokens", Enumerable.Range(0, vocab).Select(i => "t" + i).ToList());
        w.AddTensorInfo("token_embd.weight", [embd, vocab], matrixType);
        w.AddTensorInfo("output_norm.weight", [embd], 0);
        w.AddTensorInfo("output.weight", [embd, vocab], matrixType);
        for (var b = 0; b < blocks; b++)
        {
            w.AddTensorInfo($"blk.{b}.attn_norm.weight", [embd], 0);
            w.AddTensorInfo($"blk.{b}.attn_q.weight", [embd, embd], matrixType);
            w.AddTensorInfo($"blk.{b}.attn_k.weight", [embd, kv], matrixType);
            w.AddTensorInfo($"blk.{b}.attn_v.weight", [embd, kv], matrixType);
            w.AddTensorInfo($"blk.{b}.attn_output.weight", [embd, embd], matrixType);
            w.AddTensorInfo($"blk.{b}.ffn_norm.weight", [embd], 0);
            w.AddTensorInfo($"blk.{b}.ffn_gate.weight", [embd, ff], matrixType);
            w.AddTensorInfo($"blk.{b}.ffn_up.weight", [embd, ff], matrixType);
            w.AddTensorInfo($"blk.{b}.ffn_down.weight", [ff, embd], matrixType);
        }

        var path = Path.Combine(TinyModel.Directory, fileName);
        w.Write(path, headerOnly: true);
        return path;
    }
}
