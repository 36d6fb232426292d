namespace Chains.Parsing;

/// <summary>Finds words in a model's answer for the enum and boolean parsers.</summary>
internal static class TextMatching
{
    private const string Punctuation = "\"'`“”‘’「」『』《》〈〉.,;:!?。，、；：！？()（）[]【】{}*_~<>";

    /// <summary>Trims whitespace, quotes and punctuation from both ends.</summary>
    public static ReadOnlySpan<char> TrimPunctuation(string text)
    {
        var span = text.AsSpan();
        var start = 0;
        var end = span.Length;
        while (start < end && (char.IsWhiteSpace(span[start]) || Punctuation.Contains(span[start], StringComparison.Ordinal)))
        {
            start++;
        }

        while (end > start && (char.IsWhiteSpace(span[end - 1]) || Punctuation.Contains(span[end - 1], StringComparison.Ordinal)))
        {
            end--;
        }

        return span[start..end];
    }

    /// <summary>Adds every case-insensitive occurrence of <paramref name="word"/> in <paramref name="text"/> that does
    /// not run into a neighbouring Latin letter or digit.</summary>
    public static void FindWords(string text, string word, int tag, List<(int Start, int Length, int Tag)> found)
    {
        for (var i = text.IndexOf(word, StringComparison.OrdinalIgnoreCase); i >= 0; i = text.IndexOf(word, i + 1, StringComparison.OrdinalIgnoreCase))
        {
            var end = i + word.Length;
            if ((i > 0 && IsWordChar(word[0]) && IsWordChar(text[i - 1])) || (end < text.Length && IsWordChar(word[^1]) && IsWordChar(text[end])))
            {
                continue;
            }

            found.Add((i, word.Length, tag));
        }
    }

    /// <summary>Drops matches that lie inside a longer match (<c>是</c> inside <c>不是</c>).</summary>
    public static IEnumerable<(int Start, int Length, int Tag)> Outermost(List<(int Start, int Length, int Tag)> found)
        => found.Where(f => !found.Any(o => o.Length > f.Length && o.Start <= f.Start && f.Start + f.Length <= o.Start + o.Length));

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
