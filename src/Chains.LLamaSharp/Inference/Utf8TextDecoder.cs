using System.Text;

namespace Chains.LLamaSharp.Inference;

/// <summary>Turns token bytes into text without ever splitting a character: the bytes of a multi-byte UTF-8 sequence
/// that arrive in several tokens (CJK, emoji through byte tokens) are held until the sequence is whole. Invalid
/// sequences become U+FFFD.</summary>
internal sealed class Utf8TextDecoder
{
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private char[] _chars = new char[64];

    /// <summary>Adds bytes and returns the whole characters now available (possibly empty).</summary>
    public string Add(ReadOnlySpan<byte> bytes) => Decode(bytes, flush: false);

    /// <summary>Adds bytes and appends the whole characters now available to <paramref name="text"/>, without making a
    /// string.</summary>
    public void AppendTo(ReadOnlySpan<byte> bytes, StringBuilder text)
    {
        var max = _decoder.GetCharCount(bytes, flush: false);
        if (_chars.Length < max)
        {
            _chars = new char[Math.Max(max, _chars.Length * 2)];
        }

        var count = _decoder.GetChars(bytes, _chars, flush: false);
        text.Append(_chars, 0, count);
    }

    /// <summary>Returns what is left (an incomplete sequence becomes U+FFFD) and resets.</summary>
    public string Flush() => Decode([], flush: true);

    private string Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        var max = _decoder.GetCharCount(bytes, flush);
        if (max == 0)
        {
            if (flush)
            {
                _decoder.Reset();
            }

            // Still feed the bytes so the decoder keeps the partial sequence.
            _decoder.GetChars(bytes, _chars, flush);
            return string.Empty;
        }

        if (_chars.Length < max)
        {
            _chars = new char[Math.Max(max, _chars.Length * 2)];
        }

        var count = _decoder.GetChars(bytes, _chars, flush);
        return new string(_chars, 0, count);
    }
}
