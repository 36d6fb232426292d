using System.Globalization;
using System.Text;

namespace Chains.Indexes.Retrievers;

/// <summary>
/// Splits text into search terms for <see cref="Bm25Index"/>, without a dictionary: runs of letters and digits become
/// lower-cased words; runs of CJK characters (Han, kana, Hangul), which have no spaces between words, become every
/// character (unigram) and every pair of adjacent characters (bigram), so a two-character word such as 向量 matches as a
/// unit and single characters still match.
/// </summary>
/// <remarks>Queries are tokenized more strictly (<c>forQuery</c>): a CJK run of two or more characters gives only its
/// bigrams, because its single characters (了, 的, 天...) match nearly every document and would rank unrelated passages;
/// a lone CJK character is still searched as a unigram.</remarks>
internal static class TextTerms
{
    public static List<string> Tokenize(string text, bool forQuery = false)
    {
        var terms = new List<string>();
        var word = new StringBuilder();
        Rune? previousCjk = null;
        var runStart = -1;
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsCjk(rune))
            {
                Flush(word, terms);
                var unigram = rune.ToString();
                if (previousCjk is { } previous)
                {
                    terms.Add(previous + unigram);
                    if (forQuery && runStart >= 0)
                    {
                        // The run has two characters at least: its first unigram is not a query term after all.
                        terms.RemoveAt(runStart);
                        runStart = -1;
                    }
                }
                else if (forQuery)
                {
                    runStart = terms.Count;
                }

                if (!forQuery || previousCjk is null)
                {
                    terms.Add(unigram);
                }

                previousCjk = rune;
            }
            else if (Rune.IsLetterOrDigit(rune) || (word.Length > 0 && Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark))
            {
                previousCjk = null;
                runStart = -1;
                word.Append(Rune.ToLowerInvariant(rune).ToString());
            }
            else
            {
                previousCjk = null;
                runStart = -1;
                Flush(word, terms);
            }
        }

        Flush(word, terms);
        return terms;
    }

    internal static bool IsCjk(Rune rune) => rune.Value switch
    {
        >= 0x3400 and <= 0x4DBF => true,   // CJK Unified Ideographs Extension A
        >= 0x4E00 and <= 0x9FFF => true,   // CJK Unified Ideographs
        >= 0xF900 and <= 0xFAFF => true,   // CJK Compatibility Ideographs
        >= 0x20000 and <= 0x323AF => true, // Extensions B to H
        >= 0x3040 and <= 0x30FF => true,   // Hiragana, Katakana
        >= 0x31F0 and <= 0x31FF => true,   // Katakana Phonetic Extensions
        >= 0x1100 and <= 0x11FF => true,   // Hangul Jamo
        >= 0x3130 and <= 0x318F => true,   // Hangul Compatibility Jamo
        >= 0xAC00 and <= 0xD7AF => true,   // Hangul Syllables
        _ => false,
    };

    private static void Flush(StringBuilder word, List<string> terms)
    {
        if (word.Length > 0)
        {
            terms.Add(word.ToString());
            word.Clear();
        }
    }
}
