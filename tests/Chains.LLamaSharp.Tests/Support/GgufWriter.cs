using System.Text;

namespace Chains.LLamaSharp.Tests.Support;

/// <summary>Writes GGUF v3 files: metadata key/values, tensor descriptors and (optionally) tensor data.</summary>
internal sealed class GgufWriter
{
    private const int Alignment = 32;
    private readonly List<(string Key, Action<BinaryWriter> Write)> _metadata = [];
    private readonly List<Tensor> _tensors = [];

    public GgufWriter Add(string key, string value) => AddRaw(key, w => { w.Write(8u); WriteString(w, value); });

    public GgufWriter Add(string key, uint value) => AddRaw(key, w => { w.Write(4u); w.Write(value); });

    public GgufWriter Add(string key, int value) => AddRaw(key, w => { w.Write(5u); w.Write(value); });

    public GgufWriter Add(string key, float value) => AddRaw(key, w => { w.Write(6u); w.Write(value); });

    public GgufWriter Add(string key, bool value) => AddRaw(key, w => { w.Write(7u); w.Write(value ? (byte)1 : (byte)0); });

    public GgufWriter Add(string key, ulong value) => AddRaw(key, w => { w.Write(10u); w.Write(value); });

    public GgufWriter Add(string key, IReadOnlyList<string> values) => AddRaw(key, w =>
    {
        w.Write(9u);
        w.Write(8u);
        w.Write((ulong)values.Count);
        foreach (var v in values)
        {
            WriteString(w, v);
        }
    });

    public GgufWriter Add(string key, IReadOnlyList<float> values) => AddRaw(key, w =>
    {
        w.Write(9u);
        w.Write(6u);
        w.Write((ulong)values.Count);
        foreach (var v in values)
        {
            w.Write(v);
        }
    });

    public GgufWriter Add(string key, IReadOnlyList<int> values) => AddRaw(key, w =>
    {
        w.Write(9u);
        w.Write(5u);
        w.Write((ulong)values.Count);
        foreach (var v in values)
        {
            w.Write(v);
        }
    });

    /// <summary>Adds an F32 tensor; <paramref name="shape"/> is in ggml order (innermost dimension first).</summary>
    public GgufWriter AddTensor(string name, long[] shape, Func<long, float> value)
    {
        _tensors.Add(new Tensor(name, shape, 0, value));
        return this;
    }

    /// <summary>Adds a tensor descriptor of any ggml type without data (for header-only files).</summary>
    public GgufWriter AddTensorInfo(string name, long[] shape, uint ggmlType)
    {
        _tensors.Add(new Tensor(name, shape, ggmlType, null));
        return this;
    }

    /// <summary>Writes the file. With <paramref name="headerOnly"/> the tensor data is left out.</summary>
    public void Write(string path, bool headerOnly = false)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count);
        foreach (var (key, write) in _metadata)
        {
            WriteString(w, key);
            write(w);
        }

        long offset = 0;
        var offsets = new long[_tensors.Count];
        for (var i = 0; i < _tensors.Count; i++)
        {
            var t = _tensors[i];
            WriteString(w, t.Name);
            w.Write((uint)t.Shape.Length);
            foreach (var d in t.Shape)
            {
                w.Write((ulong)d);
            }

            w.Write(t.Type);
            w.Write((ulong)offset);
            offsets[i] = offset;
            offset += Align(ByteSize(t));
        }

        w.Flush();
        Pad(stream);
        if (headerOnly)
        {
            return;
        }

        var dataStart = stream.Position;
        for (var i = 0; i < _tensors.Count; i++)
        {
            var t = _tensors[i];
            stream.Position = dataStart + offsets[i];
            var count = t.Shape.Aggregate(1L, (a, b) => a * b);
            for (long j = 0; j < count; j++)
            {
                w.Write(t.Value!(j));
            }

            w.Flush();
            Pad(stream);
        }
    }

    private GgufWriter AddRaw(string key, Action<BinaryWriter> write)
    {
        _metadata.Add((key, write));
        return this;
    }

    private static long ByteSize(Tensor t)
    {
        var count = t.Shape.Aggregate(1L, (a, b) => a * b);
        return t.Type switch
        {
            0 => count * 4,
            1 or 30 => count * 2,
            8 => count / 32 * 34,
            2 => count / 32 * 18,
            12 => count / 256 * 144,
            _ => throw new NotSupportedException($"ggml type {t.Type}"),
        };
    }

    private static long Align(long value) => (value + Alignment - 1) / Alignment * Alignment;

    private static void Pad(Stream stream)
    {
        while (stream.Position % Alignment != 0)
        {
            stream.WriteByte(0);
        }
    }

    private static void WriteString(BinaryWriter w, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private sealed record Tensor(string Name, long[] Shape, uint Type, Func<long, float>? Value);
}
