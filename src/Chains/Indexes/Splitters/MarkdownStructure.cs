namespace Chains.Indexes.Splitters;

/// <summary>
/// The block structure a heading splitter needs from Markdown (CommonMark rules): ATX headings (<c># Title</c>, up to
/// three spaces of indent, optional closing <c>#</c>s), one-line setext headings (a paragraph line underlined with
/// <c>===</c> or <c>---</c>), fenced code blocks (<c>```</c> or <c>~~~</c>, whose content is never a heading) and YAML
/// front matter.
/// </summary>
internal static class MarkdownStructure
{
    /// <summary>A heading: the line (or, for setext, the two lines) it occupies and its text.</summary>
    /// <param name="Start">The index of the heading's first character (the start of its line).</param>
    /// <param name="BodyStart">The index just past the heading's last line break: where its section's body starts.</param>
    /// <param name="Level">1 to 6.</param>
    /// <param name="Text">The heading text, trimmed, without the <c>#</c> marks.</param>
    public readonly record struct Heading(int Start, int BodyStart, int Level, string Text);

    /// <summary>Finds the headings of <c>text[start..end)</c> that lie outside fenced code blocks, in order.</summary>
    public static List<Heading> FindHeadings(string text, int start, int end)
    {
        var headings = new List<Heading>();
        char fenceChar = '\0';
        var fenceLength = 0;
        var previousStart = -1; // start of the previous line when it could be a one-line setext heading's text
        var paragraphCanStart = true; // the previous line was blank, a heading, a fence, or there was none

        var position = start;
        while (position < end)
        {
            var lineStart = position;
            var lineEnd = text.AsSpan(position, end - position).IndexOfAny('\r', '\n');
            lineEnd = lineEnd < 0 ? end : position + lineEnd;
            position = lineEnd;
            if (position < end && text[position] == '\r')
            {
                position++;
            }

            if (position < end && text[position] == '\n')
            {
                position++;
            }

            var line = text.AsSpan(lineStart, lineEnd - lineStart);
            if (fenceLength > 0)
            {
                if (IsFence(line, out var closeChar, out var closeLength, out var rest) && closeChar == fenceChar &&
                    closeLength >= fenceLength && rest.IsWhiteSpace())
                {
                    fenceLength = 0;
                    paragraphCanStart = true;
                }

                previousStart = -1;
                continue;
            }

            if (IsFence(line, out fenceChar, out fenceLength, out var info) && (fenceChar == '~' || !info.Contains('`')))
            {
                previousStart = -1;
                continue;
            }

            fenceLength = 0;
            if (line.IsWhiteSpace())
            {
                previousStart = -1;
                paragraphCanStart = true;
                continue;
            }

            if (TryAtx(line, out var level, out var headingText))
            {
                headings.Add(new Heading(lineStart, position, level, headingText));
                previousStart = -1;
                paragraphCanStart = true;
                continue;
            }

            if (previousStart >= 0 && TrySetextUnderline(line, out level))
            {
                var previous = text.AsSpan(previousStart, lineStart - previousStart).Trim();
                headings.Add(new Heading(previousStart, position, level, previous.ToString()));
                previousStart = -1;
                paragraphCanStart = true;
                continue;
            }

            previousStart = paragraphCanStart && CanBeSetextText(line) ? lineStart : -1;
            paragraphCanStart = false;
        }

        return headings;
    }

    /// <summary>Finds YAML front matter: a first line <c>---</c>, then lines up to a closing <c>---</c> or <c>...</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="yaml">The range of the YAML between the fences.</param>
    /// <param name="bodyStart">The index just past the closing fence's line break.</param>
    /// <returns><see langword="true"/> when the text starts with front matter.</returns>
    public static bool TryFindFrontMatter(string text, out Range yaml, out int bodyStart)
    {
        yaml = default;
        bodyStart = 0;
        var first = NextLine(text, 0, out var position);
        if (!first.TrimEnd().SequenceEqual("---"))
        {
            return false;
        }

        var yamlStart = position;
        while (position < text.Length)
        {
            var lineStart = position;
            var line = NextLine(text, position, out position).TrimEnd();
            if (line.SequenceEqual("---") || line.SequenceEqual("..."))
            {
                yaml = yamlStart..lineStart;
                bodyStart = position;
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<char> NextLine(string text, int start, out int next)
    {
        var rest = text.AsSpan(start);
        var end = rest.IndexOfAny('\r', '\n');
        if (end < 0)
        {
            next = text.Length;
            return rest;
        }

        next = start + end + (rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? 2 : 1);
        return rest[..end];
    }

    private static int Indent(ReadOnlySpan<char> line)
    {
        var i = 0;
        while (i < line.Length && line[i] == ' ')
        {
            i++;
        }

        return i;
    }

    private static bool IsFence(ReadOnlySpan<char> line, out char fenceChar, out int length, out ReadOnlySpan<char> rest)
    {
        fenceChar = '\0';
        length = 0;
        rest = default;
        var indent = Indent(line);
        if (indent > 3 || indent >= line.Length || (line[indent] != '`' && line[indent] != '~'))
        {
            return false;
        }

        var c = line[indent];
        var run = indent;
        while (run < line.Length && line[run] == c)
        {
            run++;
        }

        if (run - indent < 3)
        {
            return false;
        }

        fenceChar = c;
        length = run - indent;
        rest = line[run..];
        return true;
    }

    private static bool TryAtx(ReadOnlySpan<char> line, out int level, out string text)
    {
        level = 0;
        text = string.Empty;
        var indent = Indent(line);
        if (indent > 3)
        {
            return false;
        }

        var run = indent;
        while (run < line.Length && line[run] == '#')
        {
            run++;
        }

        level = run - indent;
        if (level is < 1 or > 6 || (run < line.Length && line[run] != ' ' && line[run] != '\t'))
        {
            return false;
        }

        var content = line[run..].Trim();
        var closing = content.Length;
        while (closing > 0 && content[closing - 1] == '#')
        {
            closing--;
        }

        if (closing == 0 || content[closing - 1] is ' ' or '\t')
        {
            content = content[..closing].TrimEnd();
        }

        text = content.ToString();
        return true;
    }

    private static bool TrySetextUnderline(ReadOnlySpan<char> line, out int level)
    {
        level = 0;
        var indent = Indent(line);
        var body = line[indent..].TrimEnd();
        if (indent > 3 || body.Length == 0 || (body[0] != '=' && body[0] != '-') || body.ContainsAnyExcept(body[0]))
        {
            return false;
        }

        level = body[0] == '=' ? 1 : 2;
        return true;
    }

    private static bool CanBeSetextText(ReadOnlySpan<char> line)
    {
        var indent = Indent(line);
        if (indent > 3)
        {
            return false;
        }

        var body = line[indent..];
        return body[0] switch
        {
            '>' or '|' or '<' => false,
            '-' or '*' or '+' => body.Length > 1 && body[1] is not (' ' or '\t'), // a list item
            _ when char.IsAsciiDigit(body[0]) => !IsOrderedListItem(body),
            _ => !TrySetextUnderline(line, out _),
        };
    }

    private static bool IsOrderedListItem(ReadOnlySpan<char> body)
    {
        var i = 0;
        while (i < body.Length && i < 9 && char.IsAsciiDigit(body[i]))
        {
            i++;
        }

        return i < body.Length && body[i] is '.' or ')' && (i + 1 == body.Length || body[i + 1] is ' ' or '\t');
    }
}
