using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Chains.Indexes.Indexing;

/// <summary>Computes the SHA-256 of a document's content, source, span and metadata (not its id), independent of the
/// order of metadata entries. Every field is written with a tag and a length so different documents never share an
/// encoding.</summary>
internal static class DocumentHasher
{
    /// <summary>Returns the document's hash as 64 lowercase hex digits.</summary>
    public static string Hash(Document document)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendString(hash, 1, document.Content);
        if (document.Source is { } source)
        {
            AppendString(hash, 2, source);
        }

        if (document.Span is { } span)
        {
            Span<byte> bytes = stackalloc byte[9];
            bytes[0] = 3;
            BinaryPrimitives.WriteInt32LittleEndian(bytes[1..], span.Start);
            BinaryPrimitives.WriteInt32LittleEndian(bytes[5..], span.Length);
            hash.AppendData(bytes);
        }

        if (document.Metadata.Count > 0)
        {
            var keys = document.Metadata.Keys.ToArray();
            Array.Sort(keys, StringComparer.Ordinal);
            foreach (var key in keys)
            {
                AppendString(hash, 4, key);
                AppendValue(hash, document.Metadata[key]);
            }
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }

    private static void AppendValue(IncrementalHash hash, object? value)
    {
        Span<byte> bytes = stackalloc byte[17];
        switch (value)
        {
            case null:
                bytes[0] = 10;
                hash.AppendData(bytes[..1]);
                break;
            case string s:
                AppendString(hash, 11, s);
                break;
            case bool b:
                bytes[0] = 12;
                bytes[1] = b ? (byte)1 : (byte)0;
                hash.AppendData(bytes[..2]);
                break;
            case long l:
                bytes[0] = 13;
                BinaryPrimitives.WriteInt64LittleEndian(bytes[1..], l);
                hash.AppendData(bytes[..9]);
                break;
            case double d:
                bytes[0] = 14;
                BinaryPrimitives.WriteDoubleLittleEndian(bytes[1..], d);
                hash.AppendData(bytes[..9]);
                break;
            case DateTimeOffset t:
                bytes[0] = 15;
                BinaryPrimitives.WriteInt64LittleEndian(bytes[1..], t.UtcTicks);
                BinaryPrimitives.WriteInt64LittleEndian(bytes[9..], t.Offset.Ticks);
                hash.AppendData(bytes);
                break;
            case string[] list:
                bytes[0] = 16;
                BinaryPrimitives.WriteInt32LittleEndian(bytes[1..], list.Length);
                hash.AppendData(bytes[..5]);
                foreach (var item in list)
                {
                    AppendString(hash, 17, item);
                }

                break;
            default:
                // DocumentMetadata admits only the types above.
                AppendString(hash, 18, value.ToString() ?? string.Empty);
                break;
        }
    }

    private static void AppendString(IncrementalHash hash, byte tag, string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length) + 5;
        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var length = Encoding.UTF8.GetBytes(value, rented.AsSpan(5));
            rented[0] = tag;
            BinaryPrimitives.WriteInt32LittleEndian(rented.AsSpan(1), length);
            hash.AppendData(rented, 0, length + 5);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
