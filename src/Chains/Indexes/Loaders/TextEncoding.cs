using System.Text;
using System.Text.Unicode;

namespace Chains.Indexes.Loaders;

/// <summary>
/// Detects the encoding of a text file from its bytes, without extra packages: a byte order mark picks UTF-8, UTF-16
/// (little or big endian) or UTF-32; otherwise bytes that are valid UTF-8 are UTF-8; anything else is read as GB18030,
/// the superset of GBK/GB2312 that Chinese Windows editors save by default.
/// </summary>
public static class TextEncoding
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Gets the GB18030 encoding (code page 54936), a superset of GBK (936) and GB2312, taken from
    /// <see cref="CodePagesEncodingProvider"/> without registering the provider process-wide.</summary>
    public static Encoding Gb18030 { get; } = CodePagesEncodingProvider.Instance.GetEncoding(54936)
        ?? throw new PlatformNotSupportedException("The GB18030 code page (54936) is not available.");

    /// <summary>Detects the encoding of <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The file's bytes (all of them: validity as UTF-8 is checked over the whole input).</param>
    /// <returns>UTF-8, UTF-16 LE/BE or UTF-32 LE/BE when a byte order mark says so; UTF-8 when the bytes are valid UTF-8;
    /// otherwise <see cref="Gb18030"/>.</returns>
    public static Encoding Detect(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(Utf8Bom))
        {
            return Encoding.UTF8;
        }

        // UTF-32 LE starts with the UTF-16 LE mark, so test it first.
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
        {
            return Encoding.UTF32;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Encoding.Unicode;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            return new UTF32Encoding(bigEndian: true, byteOrderMark: true);
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode;
        }

        return Utf8.IsValid(bytes) ? Utf8NoBom : Gb18030;
    }

    /// <summary>Decodes <paramref name="bytes"/> to text, dropping a leading byte order mark.</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="encoding">The encoding to use; <see langword="null"/> detects it with <see cref="Detect"/>.</param>
    /// <returns>The text. Invalid sequences become U+FFFD unless <paramref name="encoding"/> is configured to throw.</returns>
    public static string Decode(ReadOnlySpan<byte> bytes, Encoding? encoding = null)
    {
        encoding ??= Detect(bytes);
        var preamble = encoding.Preamble;
        if (preamble.Length > 0 && bytes.StartsWith(preamble))
        {
            bytes = bytes[preamble.Length..];
        }
        else if (encoding is UTF8Encoding && bytes.StartsWith(Utf8Bom))
        {
            // A UTF-8 encoding created without a preamble still must not turn the mark into U+FEFF.
            bytes = bytes[3..];
        }

        return encoding.GetString(bytes);
    }
}
