using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Chains.Indexes.VectorStores;

/// <summary>
/// The binary file format of <see cref="InMemoryVectorStore"/>, little-endian throughout:
/// <list type="number">
/// <item>a 24-byte header: magic <c>CHVS</c>, format version (u16), distance (u8), reserved (u8), dimension (i32),
/// record count (i32), byte length of the documents section (i64);</item>
/// <item>the documents section: per record its id, content, source, span and metadata (typed values);</item>
/// <item>the vectors: count × dimension float32, in record order;</item>
/// <item>a SHA-256 of everything before it (32 bytes).</item>
/// </list>
/// Writes go to a temporary file in the same folder, are flushed to disk and then renamed over the target, so readers see
/// the old file or the new one, never a mix. A file whose length disagrees with its header (a torn write) or whose
/// checksum does not match is rejected with a <see cref="VectorStoreFileException"/>.
/// </summary>
internal static class VectorStoreFile
{
    public const int HeaderSize = 24;
    public const int HashSize = 32;
    private const ushort Version = 1;
    private const int ChunkBytes = 1 << 20;
    private static ReadOnlySpan<byte> Magic => "CHVS"u8;

    private enum Tag : byte
    {
        Null = 0,
        String = 1,
        Bool = 2,
        Int64 = 3,
        Double = 4,
        DateTimeOffset = 5,
        StringList = 6,
    }

    public static async Task WriteAsync(string path, VectorDistance distance, int dimension, Document[] documents, float[] vectors, CancellationToken cancellationToken)
    {
        var documentBytes = EncodeDocuments(documents);
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), Version);
        header[6] = (byte)distance;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), dimension);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), documents.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), documentBytes.Length);

        var directory = Path.GetDirectoryName(path) ?? ".";
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                await using (stream)
                {
                    hash.AppendData(header);
                    await stream.WriteAsync(header, cancellationToken);
                    hash.AppendData(documentBytes.GetBuffer(), 0, (int)documentBytes.Length);
                    await stream.WriteAsync(documentBytes.GetBuffer().AsMemory(0, (int)documentBytes.Length), cancellationToken);

                    var buffer = new byte[ChunkBytes];
                    const int floatsPerChunk = ChunkBytes / sizeof(float);
                    for (var start = 0; start < vectors.Length; start += floatsPerChunk)
                    {
                        var floats = vectors.AsSpan(start, Math.Min(floatsPerChunk, vectors.Length - start));
                        var bytes = buffer.AsMemory(0, floats.Length * sizeof(float));
                        ToLittleEndian(floats, bytes.Span);
                        hash.AppendData(bytes.Span);
                        await stream.WriteAsync(bytes, cancellationToken);
                    }

                    await stream.WriteAsync(hash.GetHashAndReset(), cancellationToken);
                    await stream.FlushAsync(cancellationToken);
                    stream.Flush(flushToDisk: true);
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static async Task<(VectorDistance Distance, int Dimension, Document[] Documents, float[] Vectors)> ReadAsync(string path, int minimumCapacity, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream)
        {
            var length = stream.Length;
            var header = new byte[HeaderSize];
            var headerRead = await stream.ReadAtLeastAsync(header, HeaderSize, throwOnEndOfStream: false, cancellationToken);
            if (headerRead < Magic.Length || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            {
                throw Corrupt(path, "it does not start with the vector store signature 'CHVS'; it is not a vector store file or its beginning was overwritten.");
            }

            if (length < HeaderSize + HashSize)
            {
                throw Corrupt(path, $"it is {length} bytes long, shorter than the {HeaderSize}-byte header plus the {HashSize}-byte checksum; the file was truncated (a torn write).");
            }

            var version = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(4));
            if (version != Version)
            {
                throw Corrupt(path, $"it has format version {version}; this version of Chains reads version {Version}.");
            }

            var distance = (VectorDistance)header[6];
            var dimension = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
            var count = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
            var documentsLength = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16));
            if (!Enum.IsDefined(distance) || dimension < 0 || count < 0 || documentsLength < 0 || documentsLength > int.MaxValue || (count > 0 && dimension == 0))
            {
                throw Corrupt(path, $"its header is invalid (distance {header[6]}, dimension {dimension}, count {count}, documents {documentsLength} bytes).");
            }

            var floatCount = (long)count * dimension;
            var expected = HeaderSize + documentsLength + (floatCount * sizeof(float)) + HashSize;
            if (length != expected)
            {
                throw Corrupt(path, length < expected
                    ? $"it is {length} bytes long but its header promises {expected} bytes ({count} records of dimension {dimension}); the file was truncated (a torn write)."
                    : $"it is {length} bytes long but its header promises {expected} bytes; it has {length - expected} unexpected trailing bytes.");
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(header);
            var documentBytes = new byte[documentsLength];
            await stream.ReadExactlyAsync(documentBytes, cancellationToken);
            hash.AppendData(documentBytes);

            var capacity = Math.Max(count, minimumCapacity);
            var vectors = new float[(long)capacity * dimension];
            var buffer = new byte[ChunkBytes];
            const int floatsPerChunk = ChunkBytes / sizeof(float);
            for (long start = 0; start < floatCount; start += floatsPerChunk)
            {
                var floats = (int)Math.Min(floatsPerChunk, floatCount - start);
                var bytes = buffer.AsMemory(0, floats * sizeof(float));
                await stream.ReadExactlyAsync(bytes, cancellationToken);
                hash.AppendData(bytes.Span);
                FromLittleEndian(bytes.Span, vectors.AsSpan((int)start, floats));
            }

            var stored = new byte[HashSize];
            await stream.ReadExactlyAsync(stored, cancellationToken);
            if (!CryptographicOperations.FixedTimeEquals(stored, hash.GetHashAndReset()))
            {
                throw Corrupt(path, "its SHA-256 checksum does not match its content; bytes were changed or lost after it was written.");
            }

            return (distance, dimension, DecodeDocuments(path, documentBytes, count), vectors);
        }
    }

    private static MemoryStream EncodeDocuments(Document[] documents)
    {
        var memory = new MemoryStream();
        using var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true);
        foreach (var document in documents)
        {
            writer.Write(document.Id);
            writer.Write(document.Content);
            writer.Write(document.Source is not null);
            if (document.Source is not null)
            {
                writer.Write(document.Source);
            }

            writer.Write(document.Span.HasValue);
            if (document.Span is { } span)
            {
                writer.Write(span.Start);
                writer.Write(span.Length);
            }

            writer.Write7BitEncodedInt(document.Metadata.Count);
            foreach (var (key, value) in document.Metadata)
            {
                writer.Write(key);
                WriteValue(writer, value);
            }
        }

        writer.Flush();
        return memory;
    }

    private static void WriteValue(BinaryWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.Write((byte)Tag.Null);
                break;
            case string s:
                writer.Write((byte)Tag.String);
                writer.Write(s);
                break;
            case bool b:
                writer.Write((byte)Tag.Bool);
                writer.Write(b);
                break;
            case long l:
                writer.Write((byte)Tag.Int64);
                writer.Write(l);
                break;
            case double d:
                writer.Write((byte)Tag.Double);
                writer.Write(d);
                break;
            case DateTimeOffset dto:
                writer.Write((byte)Tag.DateTimeOffset);
                writer.Write(dto.Ticks);
                writer.Write((short)dto.Offset.TotalMinutes);
                break;
            case string[] list:
                writer.Write((byte)Tag.StringList);
                writer.Write7BitEncodedInt(list.Length);
                foreach (var item in list)
                {
                    writer.Write(item);
                }

                break;
            default:
                throw new InvalidOperationException($"Metadata value of type {value.GetType().Name} cannot be saved.");
        }
    }

    private static Document[] DecodeDocuments(string path, byte[] bytes, int count)
    {
        var documents = new Document[count];
        var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var index = 0;
        try
        {
            for (; index < count; index++)
            {
                var id = reader.ReadString();
                var content = reader.ReadString();
                var source = reader.ReadBoolean() ? reader.ReadString() : null;
                SourceSpan? span = reader.ReadBoolean() ? new SourceSpan(reader.ReadInt32(), reader.ReadInt32()) : null;
                var entries = reader.Read7BitEncodedInt();
                var metadata = new KeyValuePair<string, object?>[entries];
                for (var e = 0; e < entries; e++)
                {
                    var key = reader.ReadString();
                    metadata[e] = new(key, ReadValue(reader));
                }

                documents[index] = new Document(id, content, entries == 0 ? null : new DocumentMetadata(metadata), source, span);
            }

            if (reader.BaseStream.Position != bytes.Length)
            {
                throw new InvalidDataException($"{bytes.Length - reader.BaseStream.Position} bytes are left after the last document.");
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or FormatException or InvalidDataException or ArgumentException or OverflowException)
        {
            throw Corrupt(path, string.Create(CultureInfo.InvariantCulture, $"document {index} cannot be decoded ({ex.Message})."), ex);
        }

        return documents;
    }

    private static object? ReadValue(BinaryReader reader)
    {
        var tag = (Tag)reader.ReadByte();
        switch (tag)
        {
            case Tag.Null:
                return null;
            case Tag.String:
                return reader.ReadString();
            case Tag.Bool:
                return reader.ReadBoolean();
            case Tag.Int64:
                return reader.ReadInt64();
            case Tag.Double:
                return reader.ReadDouble();
            case Tag.DateTimeOffset:
                var ticks = reader.ReadInt64();
                return new DateTimeOffset(ticks, TimeSpan.FromMinutes(reader.ReadInt16()));
            case Tag.StringList:
                var list = new string[reader.Read7BitEncodedInt()];
                for (var i = 0; i < list.Length; i++)
                {
                    list[i] = reader.ReadString();
                }

                return list;
            default:
                throw new InvalidDataException($"unknown metadata value tag {(byte)tag}");
        }
    }

    private static void ToLittleEndian(ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(source).CopyTo(destination);
            return;
        }

        for (var i = 0; i < source.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination[(i * sizeof(float))..], source[i]);
        }
    }

    private static void FromLittleEndian(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            source.CopyTo(MemoryMarshal.AsBytes(destination));
            return;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * sizeof(float))..]);
        }
    }

    private static VectorStoreFileException Corrupt(string path, string problem, Exception? inner = null) => new(path, problem, inner);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file does not affect the target.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort, as above.
        }
    }
}
