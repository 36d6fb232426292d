using System.Text;

namespace Chains.Rag;

/// <summary>Tokens for the lexical support check: lowercase Latin (and other spaced-script) words without common English
/// function words and with a plural <c>s</c> folded, and overlapping character bigrams of CJK runs (a lone CJK character
/// is a token by itself), so Chinese and Japanese text compares without a word segmenter.</summary>
internal static class SupportTokens
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "into",
        "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "there",
        "has", "have", "had", "do", "does", "did", "not", "no", "so", "than", "then", "which", "who", "whom", "what",
        "he", "she", "they", "we", "you", "i", "his", "her", "their", "our", "your", "can", "will", "would", "also",
    };

    /// <summary>Returns the distinct tokens of <paramref name="text"/>.</summary>
    public static HashSet<string> Tokenize(string text)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        var word = new StringBuilder();
        var cjk = new List<Rune>();
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsCjk(rune))
            {
                FlushWord(word, tokens);
                cjk.Add(rune);
            }
            else if (Rune.IsLetterOrDigit(rune))
            {
                FlushCjk(cjk, tokens);
                word.Append(Rune.ToLowerInvariant(rune).ToString());
            }
            else
            {
                FlushWord(word, tokens);
                FlushCjk(cjk, tokens);
            }
        }

        FlushWord(word, tokens);
        FlushCjk(cjk, tokens);
        return tokens;
    }

    /// <summary>Returns the share of <paramref name="claim"/>'s tokens found in <paramref name="evidence"/> (0 when the
    /// claim has none).</summary>
    public static double Overlap(HashSet<string> claim, HashSet<string> evidence)
    {
        if (claim.Count == 0)
        {
            return 0;
        }

        var found = 0;
        foreach (var token in claim)
        {
            if (evidence.Contains(token))
            {
                found++;
            }
        }

        return (double)found / claim.Count;
    }

    private static void FlushWord(StringBuilder word, HashSet<string> tokens)
    {
        if (word.Length == 0)
        {
            return;
        }

        var token = word.ToString();
        word.Clear();
        if (StopWords.Contains(token))
        {
            return;
        }

        if (token.Length > 3 && token[^1] == 's' && token[^2] != 's')
        {
            token = token[..^1];
        }

        tokens.Add(token);
    }

    private static void FlushCjk(List<Rune> run, HashSet<string> tokens)
    {
        if (run.Count == 1)
        {
            tokens.Add(run[0].ToString());
        }

        for (var i = 0; i + 1 < run.Count; i++)
        {
            tokens.Add(string.Concat(run[i].ToString(), run[i + 1].ToString()));
        }

        run.Clear();
    }

    private static bool IsCjk(Rune rune) => rune.Value is
        (>= 0x3040 and <= 0x30FF) // Hiragana, Katakana
        or (>= 0x3400 and <= 0x4DBF) // CJK Extension A
        or (>= 0x4E00 and <= 0x9FFF) // CJK Unified Ideographs
        or (>= 0xF900 and <= 0xFAFF) // CJK Compatibility Ideographs
        or (>= 0x20000 and <= 0x3134F); // CJK Extensions B-G
}
