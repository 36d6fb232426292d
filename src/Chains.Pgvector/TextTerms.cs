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
    private static List<(string Lexeme, int Position)>? t_entries;

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
        var parsed = Collect(content, includeWords);
        return (parsed, Format(t_entries!));
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
        var parsed = Collect(content, includeWords);
        return (parsed, FormatBinary(t_entries!));
    }

    /// <summary>Fills <see cref="t_entries"/> with the document's lexemes and positions, sorted by lexeme (ordinal)
    /// then position.</summary>
    private static string? Collect(string content, bool includeWords)
    {
        var entries = t_entries ??= new List<(string Lexeme, int Position)>(256);
        entries.Clear();
        var position = 0;
        StringBuilder? parsed = null;
        var wordStart = -1;
        string? previousCjk = null;
        for (var i = 0; i < content.Length;)
        {
            var c = content[i];
            var length = char.IsHighSurrogate(c) && i + 1 < content.Length && char.IsLowSurrogate(content[i + 1]) ? 2 : 1;
            var codePoint = length == 2 ? char.ConvertToUtf32(c, content[i + 1]) : c;
            if (IsCjk(codePoint))
            {
                if (wordStart >= 0)
                {
                    AddWord(entries, content, wordStart, i, ++position);
                    wordStart = -1;
                }

                if (!includeWords && parsed is null)
                {
                    parsed = new StringBuilder(content.Length).Append(content, 0, i);
                }

                var current = content.Substring(i, length);
                entries.Add((current, ++position));
                if (previousCjk is not null)
                {
                    entries.Add((string.Concat(previousCjk, current), position - 1));
                }

                previousCjk = current;
            }
            else
            {
                if (previousCjk is not null)
                {
                    previousCjk = null;
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
                        AddWord(entries, content, wordStart, i, ++position);
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
            AddWord(entries, content, wordStart, content.Length, ++position);
        }

        if (previousCjk is not null)
        {
            parsed?.Append(' ');
        }

        entries.Sort(static (a, b) => string.CompareOrdinal(a.Lexeme, b.Lexeme) is var c and not 0 ? c : a.Position.CompareTo(b.Position));
        return parsed?.ToString();
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

        var rune = new Rune(codePoint);
        return Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
    }

    private static void AddWord(List<(string Lexeme, int Position)> entries, string content, int start, int end, int position)
    {
        var word = string.Create(end - start, (content, start), static (span, state) => state.content.AsSpan(state.start, span.Length).ToLowerInvariant(span));
        entries.Add((word, position));
    }

    private static string Format(List<(string Lexeme, int Position)> entries)
    {
        if (entries.Count == 0)
        {
            return string.Empty;
        }

        var sb = t_builder ??= new StringBuilder(1024);
        sb.Clear();
        var serverBytes = 0; // as in FormatBinary, so both forms keep the same lexemes
        for (var i = 0; i < entries.Count;)
        {
            var lexeme = entries[i].Lexeme;
            var end = i;
            while (end < entries.Count && string.Equals(entries[end].Lexeme, lexeme, StringComparison.Ordinal))
            {
                end++;
            }

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

    private static byte[] FormatBinary(List<(string Lexeme, int Position)> entries)
    {
        // Worst case per entry: the lexeme's UTF-8 bytes, its terminator, a position count and one position.
        var capacity = 4;
        foreach (var (lexeme, _) in entries)
        {
            capacity += (lexeme.Length * 3) + 5;
        }

        var buffer = t_binary is { } b && b.Length >= capacity ? b : t_binary = new byte[Math.Max(capacity, 4096)];
        var length = 4;
        var count = 0;
        var serverBytes = 0; // what tsvectorrecv counts against its 1 MB limit
        for (var i = 0; i < entries.Count;)
        {
            var lexeme = entries[i].Lexeme;
            var end = i;
            while (end < entries.Count && string.Equals(entries[end].Lexeme, lexeme, StringComparison.Ordinal))
            {
                end++;
            }

            var lexemeBytes = Encoding.UTF8.GetBytes(lexeme, buffer.AsSpan(length));
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

    private static void AppendQuoted(StringBuilder sb, string term)
    {
        sb.Append('\'');
        if (term.AsSpan().IndexOfAny('\'', '\\') < 0)
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
