using System.Buffers.Binary;
using System.Text;

namespace Chains.LLamaSharp.Gguf;

/// <summary>Reads the header (metadata and tensor descriptors) of a little-endian GGUF v2/v3 file.</summary>
internal static class GgufReader
{
    /// <summary>The first four bytes of every GGUF file: "GGUF".</summary>
    public static ReadOnlySpan<byte> Magic => "GGUF"u8;

    private const int MaxStringBytes = 64 << 20;
    private const long MaxCount = 1L << 32;

    /// <summary>Checks the magic bytes without parsing anything else.</summary>
    public static bool HasMagic(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 16);
        Span<byte> head = stackalloc byte[4];
        return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual(Magic);
    }

    public static GgufModelInfo Read(Stream stream, string path)
    {
        var reader = new Reader(stream, path);
        Span<byte> magic = stackalloc byte[4];
        reader.ReadExactly(magic, "the magic number");
        if (!magic.SequenceEqual(Magic))
        {
            throw new GgufFormatException($"'{path}' is not a GGUF file (it starts with 0x{Convert.ToHexString(magic)}, not \"GGUF\").");
        }

        var version = reader.U32("the version");
        if (version is 0 || (version & 0xFFFF) == 0)
        {
            throw new GgufFormatException($"'{path}' is a big-endian GGUF file, which llama.cpp on this machine cannot load.");
        }

        if (version is < 2 or > 3)
        {
            throw new GgufFormatException($"'{path}' is GGUF version {version}; versions 2 and 3 are supported.");
        }

        var tensorCount = reader.Count("the tensor count");
        var kvCount = reader.Count("the metadata count");
        var metadata = new Dictionary<string, object>((int)Math.Min(kvCount, 4096), StringComparer.Ordinal);
        for (long i = 0; i < kvCount; i++)
        {
            var key = reader.String("a metadata key");
            var type = reader.U32($"the type of '{key}'");
            metadata[key] = ReadValue(reader, type, key, allowArray: true);
        }

        var alignment = metadata.TryGetValue("general.alignment", out var a) && a is long al && al > 0 && (al & (al - 1)) == 0 ? al : 32;
        var tensors = new List<GgufTensorInfo>((int)Math.Min(tensorCount, 65536));
        for (long i = 0; i < tensorCount; i++)
        {
            var name = reader.String("a tensor name");
            var nDims = reader.U32($"the rank of '{name}'");
            if (nDims is 0 or > 8)
            {
                throw new GgufFormatException($"'{path}': tensor '{name}' has {nDims} dimensions.");
            }

            var dims = new long[nDims];
            long elements = 1;
            for (var d = 0; d < nDims; d++)
            {
                var dim = reader.U64($"a dimension of '{name}'");
                if (dim > int.MaxValue * 64L)
                {
                    throw new GgufFormatException($"'{path}': tensor '{name}' has an implausible dimension {dim}.");
                }

                dims[d] = (long)dim;
                elements = checked(elements * (long)dim);
            }

            var type = reader.U32($"the type of '{name}'");
            var offset = reader.U64($"the offset of '{name}'");
            if (!GgmlTypes.IsKnown(type))
            {
                throw new GgufFormatException($"'{path}': tensor '{name}' has unknown ggml type {type}.");
            }

            tensors.Add(new GgufTensorInfo(name, dims, GgmlTypes.Name(type), (long)offset, GgmlTypes.ByteSize(type, elements)));
        }

        var dataOffset = (reader.Position + alignment - 1) / alignment * alignment;
        return new GgufModelInfo(path, (int)version, metadata, tensors, dataOffset, stream.Length);
    }

    private static object ReadValue(Reader reader, uint type, string key, bool allowArray)
    {
        switch (type)
        {
            case 0: return (long)reader.Byte(key);
            case 1: return (long)(sbyte)reader.Byte(key);
            case 2: return (long)reader.U16(key);
            case 3: return (long)(short)reader.U16(key);
            case 4: return (long)reader.U32(key);
            case 5: return (long)(int)reader.U32(key);
            case 6: return (double)BitConverter.Int32BitsToSingle((int)reader.U32(key));
            case 7: return reader.Byte(key) != 0;
            case 8: return reader.String(key);
            case 10: return reader.U64(key);
            case 11: return (long)reader.U64(key);
            case 12: return BitConverter.Int64BitsToDouble((long)reader.U64(key));
            case 9 when allowArray:
                var elementType = reader.U32($"the element type of '{key}'");
                var count = reader.Count($"the length of '{key}'");
                if (count > GgufArray.MaxStoredElements)
                {
                    reader.SkipArray(elementType, count, key);
                    return new GgufArray(TypeName(elementType), count, null);
                }

                var values = new object[count];
                for (var i = 0; i < count; i++)
                {
                    values[i] = ReadValue(reader, elementType, key, allowArray: false);
                }

                return new GgufArray(TypeName(elementType), count, values);
            default:
                throw new GgufFormatException($"'{reader.Path}': metadata '{key}' has unknown value type {type}.");
        }
    }

    private static string TypeName(uint type) => type switch
    {
        0 => "uint8",
        1 => "int8",
        2 => "uint16",
        3 => "int16",
        4 => "uint32",
        5 => "int32",
        6 => "float32",
        7 => "bool",
        8 => "string",
        9 => "array",
        10 => "uint64",
        11 => "int64",
        12 => "float64",
        _ => $"type {type}",
    };

    private static int FixedSize(uint type) => type switch
    {
        0 or 1 or 7 => 1,
        2 or 3 => 2,
        4 or 5 or 6 => 4,
        10 or 11 or 12 => 8,
        _ => 0,
    };

    private sealed class Reader(Stream stream, string path)
    {
        private readonly byte[] _buffer = new byte[8];

        public string Path => path;

        public long Position => stream.Position;

        public void ReadExactly(Span<byte> destination, string what)
        {
            if (stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false) != destination.Length)
            {
                throw new GgufFormatException($"'{path}' ends before {what} (the file is truncated or not GGUF).");
            }
        }

        public byte Byte(string what)
        {
            ReadExactly(_buffer.AsSpan(0, 1), what);
            return _buffer[0];
        }

        public ushort U16(string what)
        {
            ReadExactly(_buffer.AsSpan(0, 2), what);
            return BinaryPrimitives.ReadUInt16LittleEndian(_buffer);
        }

        public uint U32(string what)
        {
            ReadExactly(_buffer.AsSpan(0, 4), what);
            return BinaryPrimitives.ReadUInt32LittleEndian(_buffer);
        }

        public ulong U64(string what)
        {
            ReadExactly(_buffer.AsSpan(0, 8), what);
            return BinaryPrimitives.ReadUInt64LittleEndian(_buffer);
        }

        public long Count(string what)
        {
            var value = U64(what);
            return value > MaxCount
                ? throw new GgufFormatException($"'{path}': {what} is {value}, which is not plausible (the file is corrupt or not GGUF).")
                : (long)value;
        }

        public string String(string what)
        {
            var length = U64(what);
            if (length > MaxStringBytes || (long)length > stream.Length - stream.Position)
            {
                throw new GgufFormatException($"'{path}': {what} claims {length} bytes (the file is truncated or corrupt).");
            }

            var bytes = length <= 256 ? stackalloc byte[(int)length] : new byte[length];
            ReadExactly(bytes, what);
            return Encoding.UTF8.GetString(bytes);
        }

        public void SkipArray(uint elementType, long count, string key)
        {
            var size = FixedSize(elementType);
            if (size > 0)
            {
                var bytes = checked(count * size);
                if (bytes > stream.Length - stream.Position)
                {
                    throw new GgufFormatException($"'{path}': array '{key}' runs past the end of the file.");
                }

                stream.Seek(bytes, SeekOrigin.Current);
                return;
            }

            if (elementType != 8)
            {
                throw new GgufFormatException($"'{path}': array '{key}' has unsupported element type {elementType}.");
            }

            for (long i = 0; i < count; i++)
            {
                var length = U64(key);
                if ((long)length > stream.Length - stream.Position)
                {
                    throw new GgufFormatException($"'{path}': array '{key}' runs past the end of the file.");
                }

                stream.Seek((long)length, SeekOrigin.Current);
            }
        }
    }
}
