using System.Globalization;
using System.Text.RegularExpressions;

namespace Chains.LLamaSharp;

/// <summary>
/// Estimates the memory a model needs — weights, KV cache at a context size, compute buffer — from its GGUF header,
/// for the file as stored or for the same model at another precision (the FP16 / INT8 / INT4 table), and how many
/// layers fit a GPU memory budget.
/// </summary>
/// <remarks>Estimates follow llama.cpp's allocation (KV cache in F16, one compute buffer sized for a 512-token
/// micro-batch); real use adds a few hundred MiB of driver and runtime overhead on GPUs.</remarks>
public static partial class LlamaMemoryEstimator
{
    private const int MicroBatch = 512;

    /// <summary>Estimates the memory of <paramref name="model"/> at <paramref name="contextSize"/> tokens.</summary>
    /// <param name="model">The model's GGUF information.</param>
    /// <param name="contextSize">The context (KV cache) size in tokens, over all sequences.</param>
    /// <param name="precision">The weight precision to estimate for; <see langword="null"/> for the file as stored.</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contextSize"/> is not positive.</exception>
    public static LlamaMemoryEstimate Estimate(GgufModelInfo model, int contextSize, WeightPrecision? precision = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contextSize);
        var weights = precision is { } p ? WeightBytesAt(model, p) : model.TensorDataBytes;
        return new LlamaMemoryEstimate(
            precision?.Name ?? model.Quantization,
            weights,
            KvCacheBytesPerLayer(model, contextSize) * model.BlockCount,
            ComputeBufferBytes(model, contextSize));
    }

    /// <summary>Estimates <paramref name="model"/> at each of <see cref="WeightPrecision.Common"/> (F16, Q8_0, Q4_K_M) —
    /// what the model needs at FP16, INT8 and INT4 — for choosing a download.</summary>
    /// <param name="model">The model's GGUF information.</param>
    /// <param name="contextSize">The context size in tokens.</param>
    /// <returns>One estimate per precision, largest first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contextSize"/> is not positive.</exception>
    public static IReadOnlyList<LlamaMemoryEstimate> EstimateTable(GgufModelInfo model, int contextSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. WeightPrecision.Common.Select(p => Estimate(model, contextSize, p))];
    }

    /// <summary>Computes how many layers of <paramref name="model"/> (as stored) fit <paramref name="vramBudgetBytes"/>:
    /// the compute buffer is reserved first, then whole layers (weights plus their KV cache) are counted; when all fit
    /// and the output layer fits too, the result is <c>BlockCount + 1</c> (everything offloaded).</summary>
    /// <param name="model">The model's GGUF information.</param>
    /// <param name="contextSize">The context size in tokens.</param>
    /// <param name="vramBudgetBytes">The GPU memory the model may use.</param>
    /// <returns>The number of layers to offload, 0 to <c>BlockCount + 1</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contextSize"/> or <paramref name="vramBudgetBytes"/> is not positive.</exception>
    public static int GpuLayersThatFit(GgufModelInfo model, int contextSize, long vramBudgetBytes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contextSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vramBudgetBytes);
        var layers = LayerWeightBytes(model);
        var kvPerLayer = KvCacheBytesPerLayer(model, contextSize);
        var remaining = vramBudgetBytes - ComputeBufferBytes(model, contextSize);

        // llama.cpp offloads the last n layers: count from the top.
        var fitted = 0;
        for (var i = layers.Length - 1; i >= 0; i--)
        {
            var need = layers[i] + kvPerLayer;
            if (need > remaining)
            {
                return fitted;
            }

            remaining -= need;
            fitted++;
        }

        return OutputLayerBytes(model) <= remaining ? fitted + 1 : fitted;
    }

    /// <summary>Gets the bytes of the KV cache one layer needs at <paramref name="contextSize"/> tokens (F16 keys and values).</summary>
    internal static long KvCacheBytesPerLayer(GgufModelInfo model, int contextSize)
        => (long)contextSize * model.HeadCountKv * (model.KeyLength + model.ValueLength) * 2;

    /// <summary>Gets the compute buffer estimate: logits and activations of one micro-batch plus the attention scores.</summary>
    internal static long ComputeBufferBytes(GgufModelInfo model, int contextSize)
    {
        long ubatch = Math.Min(MicroBatch, contextSize);
        var logits = ubatch * model.VocabularySize * 4;
        var activations = ubatch * ((4L * model.EmbeddingLength) + (2L * model.FeedForwardLength)) * 4;
        var scores = ubatch * contextSize * model.HeadCount * 4L;
        return logits + activations + scores;
    }

    private static long[] LayerWeightBytes(GgufModelInfo model)
    {
        var layers = new long[model.BlockCount];
        foreach (var tensor in model.Tensors)
        {
            if (BlockIndex().Match(tensor.Name) is { Success: true } m
                && int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < layers.Length)
            {
                layers[index] += tensor.ByteSize;
            }
        }

        return layers;
    }

    private static long OutputLayerBytes(GgufModelInfo model)
    {
        long bytes = 0;
        var hasOutput = false;
        foreach (var tensor in model.Tensors)
        {
            if (tensor.Name is "output.weight" or "output_norm.weight")
            {
                bytes += tensor.ByteSize;
                hasOutput |= tensor.Name == "output.weight";
            }
        }

        // Tied embeddings: llama.cpp puts a copy of token_embd on the output layer's device.
        if (!hasOutput)
        {
            bytes += model.Tensors.FirstOrDefault(t => t.Name == "token_embd.weight")?.ByteSize ?? 0;
        }

        return bytes;
    }

    private static long WeightBytesAt(GgufModelInfo model, WeightPrecision precision)
    {
        double bytes = 0;
        foreach (var tensor in model.Tensors)
        {
            // Norms and biases (vectors) stay F32 in every quantisation.
            bytes += tensor.Dimensions.Count >= 2 ? tensor.ElementCount * precision.BitsPerWeight / 8 : tensor.ElementCount * 4.0;
        }

        return (long)Math.Ceiling(bytes);
    }

    [GeneratedRegex(@"^blk\.(\d+)\.")]
    private static partial Regex BlockIndex();
}

/// <summary>A memory estimate for a model at a context size.</summary>
/// <param name="Precision">The weight precision the estimate is for (the file's quantisation when as stored).</param>
/// <param name="WeightBytes">The bytes of the weights.</param>
/// <param name="KvCacheBytes">The bytes of the KV cache (F16 keys and values, all layers).</param>
/// <param name="ComputeBufferBytes">The bytes of the compute buffer (estimated for a 512-token micro-batch).</param>
public readonly record struct LlamaMemoryEstimate(string Precision, long WeightBytes, long KvCacheBytes, long ComputeBufferBytes)
{
    /// <summary>Gets the total bytes.</summary>
    public long TotalBytes => WeightBytes + KvCacheBytes + ComputeBufferBytes;

    /// <inheritdoc/>
    public override string ToString()
    {
        // GiB for real models, MiB for small ones.
        var (unit, scale) = TotalBytes >= 1L << 30 ? ("GiB", 1024.0 * 1024 * 1024) : ("MiB", 1024.0 * 1024);
        return string.Create(CultureInfo.InvariantCulture, $"{Precision}: weights {WeightBytes / scale:0.00} {unit} + KV {KvCacheBytes / scale:0.00} {unit} + compute {ComputeBufferBytes / scale:0.00} {unit} = {TotalBytes / scale:0.00} {unit}");
    }
}

/// <summary>A weight precision (quantisation) and its average storage cost, for memory estimates.</summary>
/// <remarks>The bits per weight are the averages llama.cpp's quantiser produces for a whole model (mixed types
/// included), e.g. Q4_K_M ≈ 4.89.</remarks>
public readonly record struct WeightPrecision
{
    /// <summary>Initializes a new instance of the <see cref="WeightPrecision"/> struct.</summary>
    /// <param name="name">The name, e.g. <c>Q4_K_M</c>.</param>
    /// <param name="bitsPerWeight">The average bits per weight.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bitsPerWeight"/> is not positive.</exception>
    public WeightPrecision(string name, double bitsPerWeight)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bitsPerWeight);
        Name = name;
        BitsPerWeight = bitsPerWeight;
    }

    /// <summary>Gets 32-bit floats.</summary>
    public static WeightPrecision F32 { get; } = new("F32", 32);

    /// <summary>Gets 16-bit floats (FP16).</summary>
    public static WeightPrecision F16 { get; } = new("F16", 16);

    /// <summary>Gets bfloat16.</summary>
    public static WeightPrecision BF16 { get; } = new("BF16", 16);

    /// <summary>Gets 8-bit blocks (INT8).</summary>
    public static WeightPrecision Q8 { get; } = new("Q8_0", 8.5);

    /// <summary>Gets 6-bit k-quants.</summary>
    public static WeightPrecision Q6K { get; } = new("Q6_K", 6.56);

    /// <summary>Gets 5-bit k-quants, medium mix.</summary>
    public static WeightPrecision Q5KM { get; } = new("Q5_K_M", 5.69);

    /// <summary>Gets 4-bit k-quants, medium mix (INT4; the usual choice).</summary>
    public static WeightPrecision Q4KM { get; } = new("Q4_K_M", 4.89);

    /// <summary>Gets 4-bit blocks, legacy.</summary>
    public static WeightPrecision Q4 { get; } = new("Q4_0", 4.55);

    /// <summary>Gets the precisions of the FP16 / INT8 / INT4 table: F16, Q8_0, Q4_K_M.</summary>
    public static IReadOnlyList<WeightPrecision> Common { get; } = [F16, Q8, Q4KM];

    /// <summary>Gets the name.</summary>
    public string Name { get; }

    /// <summary>Gets the average bits per weight.</summary>
    public double BitsPerWeight { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
