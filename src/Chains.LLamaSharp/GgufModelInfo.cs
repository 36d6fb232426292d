using System.Globalization;
using Chains.LLamaSharp.Gguf;

namespace Chains.LLamaSharp;

/// <summary>
/// What a GGUF file says about its model — architecture, size, quantisation, context length, layer and head counts,
/// chat template — read in managed code from the file header, without loading the weights or the native library.
/// </summary>
/// <remarks>Use it to check a file before loading it, to show model details, and with
/// <see cref="LlamaMemoryEstimator"/> to size the KV cache and GPU offload.</remarks>
public sealed class GgufModelInfo
{
    private readonly Dictionary<string, object> _metadata;

    internal GgufModelInfo(string path, int version, Dictionary<string, object> metadata, IReadOnlyList<GgufTensorInfo> tensors, long dataOffset, long fileLength)
    {
        Path = path;
        Version = version;
        _metadata = metadata;
        Tensors = tensors;
        DataOffset = dataOffset;
        FileLength = fileLength;
        Architecture = GetString("general.architecture") ?? throw new GgufFormatException($"'{path}' has no general.architecture key.");
        Name = GetString("general.name");
        FileKind = GetString("general.type") ?? "model";
        ChatTemplate = GetString("tokenizer.chat_template");
        ContextLength = GetInt($"{Architecture}.context_length") ?? 0;
        EmbeddingLength = GetInt($"{Architecture}.embedding_length") ?? 0;
        BlockCount = GetInt($"{Architecture}.block_count") ?? 0;
        FeedForwardLength = GetInt($"{Architecture}.feed_forward_length") ?? 0;
        HeadCount = GetInt($"{Architecture}.attention.head_count") ?? 0;
        HeadCountKv = GetInt($"{Architecture}.attention.head_count_kv") ?? HeadCount;
        var headDim = HeadCount > 0 ? EmbeddingLength / HeadCount : 0;
        KeyLength = GetInt($"{Architecture}.attention.key_length") ?? headDim;
        ValueLength = GetInt($"{Architecture}.attention.value_length") ?? headDim;
        VocabularySize = metadata.TryGetValue("tokenizer.ggml.tokens", out var tokens) && tokens is GgufArray array ? (int)array.Count : 0;

        long parameters = 0;
        long bytes = 0;
        var typeCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            parameters += tensor.ElementCount;
            bytes += tensor.ByteSize;
            if (tensor.Dimensions.Count >= 2)
            {
                typeCounts[tensor.TypeName] = typeCounts.GetValueOrDefault(tensor.TypeName) + tensor.ElementCount;
            }
        }

        ParameterCount = parameters;
        TensorDataBytes = bytes;
        var fileType = GetInt("general.file_type");
        Quantization = (fileType is { } ft ? GgmlTypes.FileTypeName(ft) : null)
            ?? (typeCounts.Count > 0 ? typeCounts.MaxBy(kv => kv.Value).Key : "unknown");
    }

    /// <summary>Gets the path the information was read from.</summary>
    public string Path { get; }

    /// <summary>Gets the GGUF format version (2 or 3).</summary>
    public int Version { get; }

    /// <summary>Gets the model architecture (<c>general.architecture</c>), e.g. <c>llama</c>, <c>qwen2</c>, <c>gemma3</c>.</summary>
    public string Architecture { get; }

    /// <summary>Gets the model's display name (<c>general.name</c>), if the file has one.</summary>
    public string? Name { get; }

    /// <summary>Gets what the file holds (<c>general.type</c>): <c>model</c>, or <c>adapter</c> for a LoRA adapter.</summary>
    public string FileKind { get; }

    /// <summary>Gets the total number of weights across all tensors.</summary>
    public long ParameterCount { get; }

    /// <summary>Gets the quantisation of the file (from <c>general.file_type</c>, else the most common matrix type),
    /// e.g. <c>Q4_K_M</c>, <c>Q8_0</c>, <c>F16</c>.</summary>
    public string Quantization { get; }

    /// <summary>Gets the context length the model was trained with (its largest usable context).</summary>
    public int ContextLength { get; }

    /// <summary>Gets the number of transformer blocks (layers).</summary>
    public int BlockCount { get; }

    /// <summary>Gets the embedding (hidden) size.</summary>
    public int EmbeddingLength { get; }

    /// <summary>Gets the feed-forward (intermediate) size.</summary>
    public int FeedForwardLength { get; }

    /// <summary>Gets the number of attention (query) heads.</summary>
    public int HeadCount { get; }

    /// <summary>Gets the number of key/value heads (smaller than <see cref="HeadCount"/> with grouped-query attention).</summary>
    public int HeadCountKv { get; }

    /// <summary>Gets the size of one key head.</summary>
    public int KeyLength { get; }

    /// <summary>Gets the size of one value head.</summary>
    public int ValueLength { get; }

    /// <summary>Gets the number of tokens in the vocabulary (0 when the file has no tokenizer).</summary>
    public int VocabularySize { get; }

    /// <summary>Gets the Jinja chat template (<c>tokenizer.chat_template</c>), if the file has one.</summary>
    public string? ChatTemplate { get; }

    /// <summary>Gets the bytes of tensor data (the weights as stored).</summary>
    public long TensorDataBytes { get; }

    /// <summary>Gets the file offset at which the tensor data starts.</summary>
    public long DataOffset { get; }

    /// <summary>Gets the file length in bytes when the header was read.</summary>
    public long FileLength { get; }

    /// <summary>Gets whether the file is shorter than its header says (an interrupted download, say).</summary>
    public bool IsTruncated => FileLength < DataOffset + TensorDataBytes;

    /// <summary>Gets the tensors, in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Gets every metadata key and its value: <see cref="string"/>, <see cref="bool"/>, <see cref="long"/>,
    /// <see cref="ulong"/>, <see cref="double"/>, or a <see cref="GgufArray"/>.</summary>
    public IReadOnlyDictionary<string, object> Metadata => _metadata;

    /// <summary>Reads the header of a GGUF file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model information.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="GgufFormatException">The file is not a GGUF file, or its header is malformed.</exception>
    public static GgufModelInfo Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        return GgufReader.Read(stream, path);
    }

    /// <summary>Gets a string metadata value.</summary>
    /// <param name="key">The key, e.g. <c>general.license</c>.</param>
    /// <returns>The value, or <see langword="null"/> when the key is missing or not a string.</returns>
    public string? GetString(string key) => _metadata.TryGetValue(key, out var v) ? v as string : null;

    /// <summary>Gets an integer metadata value (the largest element for a per-layer array).</summary>
    /// <param name="key">The key, e.g. <c>llama.block_count</c>.</param>
    /// <returns>The value, or <see langword="null"/> when the key is missing or not numeric.</returns>
    public int? GetInt(string key)
    {
        if (!_metadata.TryGetValue(key, out var v))
        {
            return null;
        }

        return v switch
        {
            long l => (int)Math.Clamp(l, int.MinValue, int.MaxValue),
            ulong u => (int)Math.Min(u, int.MaxValue),
            GgufArray { Values: { Count: > 0 } values } => values.Max(x => Convert.ToInt32(x, CultureInfo.InvariantCulture)),
            _ => null,
        };
    }

    /// <inheritdoc/>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{Name ?? System.IO.Path.GetFileNameWithoutExtension(Path)} ({Architecture}, {(ParameterCount >= 1e9 ? $"{ParameterCount / 1e9:0.##}B" : $"{ParameterCount / 1e6:0.##}M")} params, {Quantization}, ctx {ContextLength})");
}

/// <summary>One tensor of a GGUF file.</summary>
/// <param name="Name">The tensor name, e.g. <c>blk.0.attn_q.weight</c>.</param>
/// <param name="Dimensions">The shape, innermost dimension first (ggml order).</param>
/// <param name="TypeName">The ggml storage type, e.g. <c>F32</c>, <c>Q4_K</c>.</param>
/// <param name="Offset">The offset of the data from the start of the tensor data section.</param>
/// <param name="ByteSize">The bytes the data occupies.</param>
public sealed record GgufTensorInfo(string Name, IReadOnlyList<long> Dimensions, string TypeName, long Offset, long ByteSize)
{
    /// <summary>Gets the number of elements.</summary>
    public long ElementCount => Dimensions.Aggregate(1L, (a, b) => a * b);
}

/// <summary>An array metadata value of a GGUF file.</summary>
/// <param name="ElementType">The GGUF element type: <c>string</c>, <c>int32</c>, <c>float32</c>...</param>
/// <param name="Count">The number of elements.</param>
/// <param name="Values">The elements, or <see langword="null"/> for arrays longer than
/// <see cref="MaxStoredElements"/> (vocabularies, merges), which are skipped to keep reading fast.</param>
public sealed record GgufArray(string ElementType, long Count, IReadOnlyList<object>? Values)
{
    /// <summary>The longest array whose elements are kept.</summary>
    public const int MaxStoredElements = 1024;
}
