using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Chains.Pgvector;

/// <summary>
/// Client-side term extraction for full-text search. PostgreSQL's parsers split text on spaces and punctuation, which
/// leaves Chinese and Japanese text (no spaces between words) as one unsearchable token per run; here such runs become
/// overlapping character bigrams plus single characters. Words elsewhere (runs of letters, digits and marks) are
/// lower-cased. With the <c>simple</c> configuration the whole <c>tsvector</c> is built here, with positions, so the
/// server never runs <c>to_tsvector</c>; with another configuration the words go through that configuration on the
/// server and only the CJK terms come from here. The vector comes in two forms: its text form for parameters, and
/// its binary wire form for binary COPY, which the server takes in without parsing anything.
/// </summary>
internal static class TextTerms
{
    /// <summary>The configuration whose lexemes (lower-cased words, no stop words, no stemming) the client reproduces.</summary>
    public const string ClientConfig = "simple";

    private const int MaxPosition = 16383;
    private const int MaxPositionsPerLexeme = 256;
    private const int MaxLexemeBytes = 2046;
    private const int MaxVectorBytes = 1_000_000;

    [ThreadStatic]
    private static Entry[]? t_entries;

    [ThreadStatic]
    private static Entry[]? t_sorted;

    [ThreadStatic]
    private static ulong[]? t_keys;

    [ThreadStatic]
    private static int[]? t_order;

    [ThreadStatic]
    private static char[]? t_lowered;

    [ThreadStatic]
    private static StringBuilder? t_builder;

    [ThreadStatic]
    private static byte[]? t_binary;

    /// <summary>Builds the full-text input of a document, the vector in its text form.</summary>
    /// <param name="content">The content.</param>
    /// <param name="includeWords"><see langword="true"/> to put the words in the vector too (the <c>simple</c>
    /// configuration); <see langword="false"/> to leave them to the server's configuration.</param>
    /// <returns>The text the server parses with its configuration (<see langword="null"/> when it is the content
    /// itself, or when <paramref name="includeWords"/> is set) and the <c>tsvector</c> text of the client-side terms.</returns>
    public static (string? ParsedText, string Vector) ForDocument(string content, bool includeWords)
    {
        var parsed = Collect(content, includeWords, out var count);
        return (parsed, Format(t_entries.AsSpan(0, count), t_lowered));
    }

    /// <summary>Builds the full-text input of a document, the vector in PostgreSQL's binary <c>tsvector</c> format
    /// (what <c>tsvectorrecv</c> reads: the lexeme count, then each lexeme as null-terminated UTF-8 with its positions,
    /// all big-endian), for a binary COPY into a <c>tsvector</c> column.</summary>
    /// <param name="content">The content.</param>
    /// <param name="includeWords">As for <see cref="ForDocument"/>.</param>
    /// <returns>The text the server parses (as for <see cref="ForDocument"/>) and the binary vector: the same lexemes
    /// and positions as the text form.</returns>
    public static (string? ParsedText, byte[] Vector) ForDocumentBinary(string content, bool includeWords)
    {
        var parsed = Collect(content, includeWords, out var count);
        return (parsed, FormatBinary(t_entries.AsSpan(0, count), t_lowered));
    }

    /// <summary>A lexeme occurrence: where the lexeme lies in the lower-cased content, its position in the document,
    /// and its first four UTF-16 units packed so most comparisons need no look at the text.</summary>
    private readonly record struct Entry(int Start, int Length, int Position, ulong Prefix);

    /// <summary>Orders entries by lexeme (ordinal, as <see cref="string.CompareOrdinal(string, string)"/>) then position.</summary>
    private readonly struct EntryOrder(char[] text) : IComparer<Entry>
    {
        public int Compare(Entry x, Entry y)
        {
            if (x.Prefix != y.Prefix)
            {
                return x.Prefix < y.Prefix ? -1 : 1;
            }

            if (x.Length > 4 || y.Length > 4)
            {
                var c = text.AsSpan(x.Start, x.Length).SequenceCompareTo(text.AsSpan(y.Start, y.Length));
                if (c != 0)
                {
                    return c;
                }
            }

            return x.Position.CompareTo(y.Position);
        }
    }

    /// <summary>Fills <see cref="t_entries"/> with the document's lexemes and positions, sorted by lexeme (ordinal)
    /// then position, each lexeme a slice of <see cref="t_lowered"/> (the content lower-cased, which keeps its length;
    /// a CJK bigram is two neighbouring characters, so it is a slice too).</summary>
    private static string? Collect(string content, bool includeWords, out int count)
    {
        var lowered = t_lowered is { } l && l.Length >= content.Length ? l : t_lowered = new char[Math.Max(content.Length, 1024)];
        content.AsSpan().ToLowerInvariant(lowered);
        var entries = t_entries ??= new Entry[256];
        count = 0;
        var position = 0;
        StringBuilder? parsed = null;
        var wordStart = -1;
        var previousCjk = -1; // start of the previous CJK character when the current run continues it
        for (var i = 0; i < content.Length;)
        {
            var c = content[i];
            if (c < 0x80 && includeWords && previousCjk < 0)
            {
                // ASCII outside a CJK run: a word character or a break (the common case, kept short).
                if ((uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9)
                {
                    wordStart = wordStart < 0 ? i : wordStart;
                }
                else if (wordStart >= 0)
                {
                    Add(ref entries, ref count, lowered, wordStart, i - wordStart, ++position);
                    wordStart = -1;
                }

                i++;
                continue;
            }

            var length = char.IsHighSurrogate(c) && i + 1 < content.Length && char.IsLowSurrogate(content[i + 1]) ? 2 : 1;
            var codePoint = length == 2 ? char.ConvertToUtf32(c, content[i + 1]) : c;
            if (IsCjk(codePoint))
            {
                if (wordStart >= 0)
                {
                    Add(ref entries, ref count, lowered, wordStart, i - wordStart, ++position);
                    wordStart = -1;
                }

                if (!includeWords && parsed is null)
                {
                    parsed = new StringBuilder(content.Length).Append(content, 0, i);
                }

                Add(ref entries, ref count, lowered, i, length, ++position);
                if (previousCjk >= 0)
                {
                    Add(ref entries, ref count, lowered, previousCjk, i + length - previousCjk, position - 1);
                }

                previousCjk = i;
            }
            else
            {
                if (previousCjk >= 0)
                {
                    previousCjk = -1;
                    parsed?.Append(' ');
                }

                if (includeWords)
                {
                    if (IsWord(codePoint))
                    {
                        wordStart = wordStart < 0 ? i : wordStart;
                    }
                    else if (wordStart >= 0)
                    {
                        Add(ref entries, ref count, lowered, wordStart, i - wordStart, ++position);
                        wordStart = -1;
                    }
                }
                else
                {
                    parsed?.Append(content, i, length);
                }
            }

            i += length;
        }

        if (wordStart >= 0)
        {
            Add(ref entries, ref count, lowered, wordStart, content.Length - wordStart, ++position);
        }

        if (previousCjk >= 0)
        {
            parsed?.Append(' ');
        }

        t_entries = Sort(entries, count, lowered);
        return parsed?.ToString();
    }

    /// <summary>Sorts entries by lexeme then position: by their packed prefixes first (a sort of plain numbers), then
    /// each run of equal prefixes (a lexeme repeated, or lexemes sharing their first four units) by the full order.</summary>
    /// <returns>The sorted entries (the other of the two thread-local arrays).</returns>
    private static Entry[] Sort(Entry[] entries, int count, char[] text)
    {
        var keys = t_keys is { } k && k.Length >= count ? k : t_keys = new ulong[entries.Length];
        var order = t_order is { } o && o.Length >= count ? o : t_order = new int[entries.Length];
        var sorted = t_sorted is { } s && s.Length >= count ? s : t_sorted = new Entry[entries.Length];
        for (var i = 0; i < count; i++)
        {
            keys[i] = entries[i].Prefix;
            order[i] = i;
        }

        keys.AsSpan(0, count).Sort(order.AsSpan(0, count));
        for (var i = 0; i < count; i++)
        {
            sorted[i] = entries[order[i]];
        }

        for (var i = 0; i < count;)
        {
            var end = i + 1;
            while (end < count && keys[end] == keys[i])
            {
                end++;
            }

            if (end - i > 1)
            {
                sorted.AsSpan(i, end - i).Sort(new EntryOrder(text));
            }

            i = end;
        }

        // The two arrays swap roles, so the next document collects into the one not returned.
        t_sorted = entries;
        return sorted;
    }

    private static void Add(ref Entry[] entries, ref int count, char[] text, int start, int length, int position)
    {
        if (count == entries.Length)
        {
            Array.Resize(ref entries, entries.Length * 2);
        }

        ulong prefix = 0;
        var span = text.AsSpan(start, Math.Min(length, 4));
        for (var k = 0; k < 4; k++)
        {
            prefix = (prefix << 16) | (k < span.Length ? span[k] : 0u);
        }

        entries[count++] = new Entry(start, length, position, prefix);
    }

    /// <summary>Splits a query into words and CJK terms.</summary>
    /// <param name="query">The query text.</param>
    /// <returns>The distinct lower-cased words outside CJK runs and the distinct CJK bigrams (single characters for
    /// one-character runs).</returns>
    public static (string[] Words, string[] Terms) ForQuery(string query)
    {
        var words = new List<string>();
        var terms = new List<string>();
        var word = new StringBuilder();
        var run = new List<string>();

        void FlushWord()
        {
            if (word.Length > 0)
            {
                words.Add(word.ToString().ToLowerInvariant());
                word.Clear();
            }
        }

        void FlushRun()
        {
            if (run.Count == 1)
            {
                terms.Add(run[0]);
            }

            for (var i = 0; i + 1 < run.Count; i++)
            {
                terms.Add(run[i] + run[i + 1]);
            }

            run.Clear();
        }

        foreach (var rune in query.EnumerateRunes())
        {
            if (IsCjk(rune.Value))
            {
                FlushWord();
                run.Add(rune.ToString());
                continue;
            }

            FlushRun();
            if (IsWordRune(rune))
            {
                word.Append(rune.ToString());
            }
            else
            {
                FlushWord();
            }
        }

        FlushWord();
        FlushRun();
        return ([.. words.Distinct(StringComparer.Ordinal)], [.. terms.Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>Formats terms as <c>tsquery</c> text that matches any of them, each quoted so no character is read as an operator.</summary>
    /// <param name="terms">The terms.</param>
    /// <returns>The query text.</returns>
    public static string ToTsQueryText(IEnumerable<string> terms) => string.Join(" | ", terms.Select(Quote));

    /// <summary>Gets whether a code point belongs to a script written without spaces between words (Han, kana, and
    /// their compatibility and extension blocks).</summary>
    /// <param name="value">The code point.</param>
    /// <returns><see langword="true"/> for a CJK ideograph or kana.</returns>
    public static bool IsCjk(int value) => value switch
    {
        >= 0x3040 and <= 0x30FF => true, // Hiragana, Katakana
        >= 0x3400 and <= 0x4DBF => true, // CJK Extension A
        >= 0x4E00 and <= 0x9FFF => true, // CJK Unified Ideographs
        >= 0xF900 and <= 0xFAFF => true, // CJK Compatibility Ideographs
        >= 0x20000 and <= 0x3134F => true, // CJK Extensions B-G
        _ => false,
    };

    private static bool IsWordRune(Rune rune) => IsWord(rune.Value);

    private static bool IsWord(int codePoint)
    {
        if (codePoint < 0x80)
        {
            return (uint)((codePoint | 0x20) - 'a') <= 'z' - 'a' || (uint)(codePoint - '0') <= 9;
        }

        if (!Rune.IsValid(codePoint))
        {
            return false; // a lone surrogate (text cut in the middle of a pair) breaks words like punctuation
        }

        var rune = new Rune(codePoint);
        return Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
    }

    /// <summary>Gets where the run of entries sharing the lexeme of <paramref name="entries"/>[<paramref name="i"/>] ends.</summary>
    private static int GroupEnd(ReadOnlySpan<Entry> entries, int i, char[] text)
    {
        var lexeme = text.AsSpan(entries[i].Start, entries[i].Length);
        var end = i + 1;
        while (end < entries.Length && entries[end].Prefix == entries[i].Prefix && text.AsSpan(entries[end].Start, entries[end].Length).SequenceEqual(lexeme))
        {
            end++;
        }

        return end;
    }

    private static string Format(ReadOnlySpan<Entry> entries, char[]? text)
    {
        if (entries.Length == 0)
        {
            return string.Empty;
        }

        var sb = t_builder ??= new StringBuilder(1024);
        sb.Clear();
        var serverBytes = 0; // as in FormatBinary, so both forms keep the same lexemes
        for (var i = 0; i < entries.Length;)
        {
            var end = GroupEnd(entries, i, text!);
            var lexeme = text.AsSpan(entries[i].Start, entries[i].Length);
            var lexemeBytes = Encoding.UTF8.GetByteCount(lexeme);
            if (lexemeBytes <= MaxLexemeBytes)
            {
                var mark = sb.Length;
                if (sb.Length > 0)
                {
                    sb.Append(' ');
                }

                AppendQuoted(sb, lexeme);
                sb.Append(':');
                var last = -1;
                var count = 0;
                for (var j = i; j < end && count < MaxPositionsPerLexeme; j++)
                {
                    var p = Math.Min(entries[j].Position, MaxPosition);
                    if (p != last)
                    {
                        if (count++ > 0)
                        {
                            sb.Append(',');
                        }

                        sb.Append(p);
                        last = p;
                    }
                }

                serverBytes += lexemeBytes + 1 + ((count + 1) * 4);
                if (serverBytes > MaxVectorBytes)
                {
                    sb.Length = mark; // stay under PostgreSQL's 1 MB tsvector limit; the text itself is stored in full
                    break;
                }
            }

            i = end;
        }

        return sb.ToString();
    }

    private static byte[] FormatBinary(ReadOnlySpan<Entry> entries, char[]? text)
    {
        // Worst case per entry: the lexeme's UTF-8 bytes, its terminator, a position count and one position.
        var capacity = 4;
        foreach (var entry in entries)
        {
            capacity += (entry.Length * 3) + 5;
        }

        var buffer = t_binary is { } b && b.Length >= capacity ? b : t_binary = new byte[Math.Max(capacity, 4096)];
        var length = 4;
        var count = 0;
        var serverBytes = 0; // what tsvectorrecv counts against its 1 MB limit
        for (var i = 0; i < entries.Length;)
        {
            var end = GroupEnd(entries, i, text!);
            var lexemeBytes = Encoding.UTF8.GetBytes(text.AsSpan(entries[i].Start, entries[i].Length), buffer.AsSpan(length));
            if (lexemeBytes <= MaxLexemeBytes)
            {
                var countAt = length + lexemeBytes + 1;
                var at = countAt + 2;
                var last = -1;
                var positions = 0;
                for (var j = i; j < end && positions < MaxPositionsPerLexeme; j++)
                {
                    var p = Math.Min(entries[j].Position, MaxPosition);
                    if (p != last)
                    {
                        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), (ushort)p);
                        at += 2;
                        positions++;
                        last = p;
                    }
                }

                serverBytes += lexemeBytes + 1 + ((positions + 1) * 4);
                if (serverBytes > MaxVectorBytes)
                {
                    break; // stay under PostgreSQL's 1 MB tsvector limit; the text itself is stored in full
                }

                buffer[length + lexemeBytes] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(countAt), (ushort)positions);
                length = at;
                count++;
            }

            i = end;
        }

        BinaryPrimitives.WriteInt32BigEndian(buffer, count);
        return buffer.AsSpan(0, length).ToArray();
    }

    private static void AppendQuoted(StringBuilder sb, ReadOnlySpan<char> term)
    {
        sb.Append('\'');
        if (term.IndexOfAny('\'', '\\') < 0)
        {
            sb.Append(term);
        }
        else
        {
            foreach (var ch in term)
            {
                sb.Append(ch);
                if (ch is '\'' or '\\')
                {
                    sb.Append(ch);
                }
            }
        }

        sb.Append('\'');
    }

    private static string Quote(string term)
    {
        var sb = new StringBuilder(term.Length + 2);
        AppendQuoted(sb, term);
        return sb.ToString();
    }
}
