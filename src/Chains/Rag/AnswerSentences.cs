using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Chains.Indexes;

namespace Chains.Rag;

/// <summary>A sentence of an answer: its text without markers, its span in the answer and the passage numbers it cites.</summary>
internal sealed record AnswerSentence(string Text, SourceSpan Span, IReadOnlyList<int> Citations);

/// <summary>Splits an answer into sentences (English and Chinese punctuation, line breaks) and reads the citation markers
/// of each: <c>[1]</c>, <c>[1, 2]</c>, <c>[1][3]</c>, and the full-width <c>【1】</c> / <c>［1］</c> that models use in
/// Chinese. Markers written after the full stop belong to the sentence before them.</summary>
internal static partial class AnswerSentences
{
    /// <summary>Splits <paramref name="answer"/>; sentences without any letter or digit give their citations to the
    /// sentence before them and are dropped.</summary>
    public static List<AnswerSentence> Split(string answer)
    {
        var sentences = new List<AnswerSentence>();
        var start = 0;
        var i = 0;
        while (i < answer.Length)
        {
            var c = answer[i];
            if (c is '\n' or '\r')
            {
                Emit(answer, start, i, sentences);
                start = ++i;
                continue;
            }

            if (IsCjkTerminator(c) || (IsLatinTerminator(c) && EndsSentence(answer, i)))
            {
                var end = i + 1;
                while (end < answer.Length && (IsCjkTerminator(answer[end]) || IsLatinTerminator(answer[end]) || IsCloser(answer[end])))
                {
                    end++;
                }

                end = SkipMarkers(answer, end);
                Emit(answer, start, end, sentences);
                start = i = end;
                continue;
            }

            i++;
        }

        Emit(answer, start, answer.Length, sentences);
        return sentences;
    }

    /// <summary>Returns the passage numbers cited in <paramref name="text"/>, in order, without repeats; a number too large
    /// to read is returned as 0 (a passage that does not exist).</summary>
    public static List<int> ReadCitations(string text)
    {
        var numbers = new List<int>();
        foreach (Match match in MarkerRegex().Matches(text))
        {
            foreach (Capture capture in match.Groups[1].Captures)
            {
                var number = int.TryParse(capture.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
                if (!numbers.Contains(number))
                {
                    numbers.Add(number);
                }
            }
        }

        return numbers;
    }

    private static void Emit(string answer, int start, int end, List<AnswerSentence> sentences)
    {
        while (start < end && char.IsWhiteSpace(answer[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(answer[end - 1]))
        {
            end--;
        }

        if (start == end)
        {
            return;
        }

        var raw = answer[start..end];
        var citations = ReadCitations(raw);
        var text = CollapseWhitespace(MarkerRegex().Replace(raw, string.Empty));
        if (!text.Any(char.IsLetterOrDigit))
        {
            if (sentences.Count > 0 && citations.Count > 0)
            {
                var previous = sentences[^1];
                var merged = previous.Citations.Concat(citations).Distinct().ToArray();
                sentences[^1] = previous with { Citations = merged, Span = new SourceSpan(previous.Span.Start, end - previous.Span.Start) };
            }

            return;
        }

        sentences.Add(new AnswerSentence(text, new SourceSpan(start, end - start), citations));
    }

    /// <summary>A Latin full stop, question or exclamation mark ends a sentence when followed by the end, a line break, a
    /// closing quote or bracket, a citation marker, or a space and then something other than a lowercase letter
    /// (so <c>3.14</c>, <c>example.com</c> and <c>e.g. this</c> do not split).</summary>
    private static bool EndsSentence(string text, int i)
    {
        var j = i + 1;
        if (j >= text.Length)
        {
            return true;
        }

        var next = text[j];
        if (IsCloser(next) || IsMarkerOpen(next) || IsLatinTerminator(next) || IsCjkTerminator(next))
        {
            return true;
        }

        if (!char.IsWhiteSpace(next))
        {
            return false;
        }

        if (text[i] != '.')
        {
            return true;
        }

        while (j < text.Length && char.IsWhiteSpace(text[j]) && text[j] is not ('\n' or '\r'))
        {
            j++;
        }

        return j >= text.Length || !char.IsLower(text[j]);
    }

    private static int SkipMarkers(string text, int position)
    {
        while (true)
        {
            var j = position;
            while (j < text.Length && text[j] is ' ' or '\t')
            {
                j++;
            }

            var match = j < text.Length && IsMarkerOpen(text[j]) ? MarkerRegex().Match(text, j) : Match.Empty;
            if (!match.Success || match.Index != j)
            {
                return position;
            }

            position = match.Index + match.Length;
            while (position < text.Length && (IsLatinTerminator(text[position]) || IsCjkTerminator(text[position])))
            {
                position++;
            }
        }
    }

    private static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space && !(c is ',' or '.' or ';' or ':' or '!' or '?'))
            {
                builder.Append(' ');
            }

            space = false;
            builder.Append(c);
        }

        return builder.ToString();
    }

    private static bool IsLatinTerminator(char c) => c is '.' or '!' or '?';

    private static bool IsCjkTerminator(char c) => c is '。' or '！' or '？' or '…';

    private static bool IsCloser(char c) => c is '"' or '\'' or ')' or '”' or '’' or '」' or '』' or '）' or '》';

    private static bool IsMarkerOpen(char c) => c is '[' or '【' or '［';

    [GeneratedRegex(@"[\[【［]\s*(?:(\d{1,9})\s*[,，、;；]?\s*)+[\]】］]", RegexOptions.CultureInvariant)]
    private static partial Regex MarkerRegex();
}
