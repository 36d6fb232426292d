using System.Buffers;
using System.Globalization;
using System.Text;

namespace Chains.Prompts;

/// <summary>One piece of a parsed template: literal text, or a variable hole with an optional format string.</summary>
internal readonly struct Segment
{
    public Segment(string literal)
    {
        Literal = literal;
        Slot = -1;
        Format = null;
    }

    public Segment(int slot, string? format)
    {
        Literal = null;
        Slot = slot;
        Format = format;
    }

    /// <summary>Gets the literal text, or <see langword="null"/> for a variable.</summary>
    public string? Literal { get; }

    /// <summary>Gets the variable's slot (an index into the owner's variable table).</summary>
    public int Slot { get; }

    /// <summary>Gets the format string after <c>:</c>, or <see langword="null"/>.</summary>
    public string? Format { get; }
}

/// <summary>A template string parsed once into literal and variable segments (slots index <see cref="Variables"/>).</summary>
internal sealed class ParsedTemplate
{
    private ParsedTemplate(string source, Segment[] segments, string[] variables)
    {
        Source = source;
        Segments = segments;
        Variables = variables;
    }

    public string Source { get; }

    public Segment[] Segments { get; }

    /// <summary>Gets the distinct variable names in order of first appearance.</summary>
    public string[] Variables { get; }

    private static readonly SearchValues<char> Braces = SearchValues.Create("{}");

    /// <summary>Parses <paramref name="template"/>: <c>{name}</c> or <c>{name:format}</c> holes, <c>{{</c> and <c>}}</c>
    /// escapes.</summary>
    /// <exception cref="PromptTemplateException">The template is malformed.</exception>
    public static ParsedTemplate Parse(string template, string? paramName)
    {
        var segments = new List<Segment>();
        var variables = new List<string>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var next = template.AsSpan(i).IndexOfAny(Braces);
            if (next < 0)
            {
                literal.Append(template.AsSpan(i));
                break;
            }

            literal.Append(template.AsSpan(i, next));
            i += next;
            if (template[i] == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    literal.Append('}');
                    i += 2;
                    continue;
                }

                throw Malformed(template, i, "a single '}' has no matching '{'; write '}}' for a literal brace", paramName);
            }

            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                literal.Append('{');
                i += 2;
                continue;
            }

            var start = i;
            var rest = template.AsSpan(start + 1);
            var end = rest.IndexOfAny(Braces);
            if (end < 0 || rest[end] == '{')
            {
                throw Malformed(template, start, "the '{' is never closed; close the variable with '}' or write '{{' for a literal brace", paramName);
            }

            var content = rest[..end];
            var colon = content.IndexOf(':');
            var name = colon < 0 ? content : content[..colon];
            if (!IsIdentifier(name))
            {
                throw Malformed(
                    template,
                    start,
                    name.IsEmpty
                        ? "the variable has no name; write {name} or '{{' for a literal brace"
                        : $"'{name}' is not a valid variable name; names are letters, digits and underscores and start with a letter or underscore",
                    paramName);
            }

            string? format = null;
            if (colon >= 0)
            {
                if (colon == content.Length - 1)
                {
                    throw Malformed(template, start, $"the variable '{name}' has an empty format after ':'; remove the ':' or give a format such as {{{name}:F2}}", paramName);
                }

                format = content[(colon + 1)..].ToString();
            }

            if (literal.Length > 0)
            {
                segments.Add(new Segment(literal.ToString()));
                literal.Clear();
            }

            var nameText = name.ToString();
            var slot = variables.IndexOf(nameText);
            if (slot < 0)
            {
                slot = variables.Count;
                variables.Add(nameText);
            }

            segments.Add(new Segment(slot, format));
            i = start + 1 + end + 1;
        }

        if (literal.Length > 0)
        {
            segments.Add(new Segment(literal.ToString()));
        }

        return new ParsedTemplate(template, segments.ToArray(), variables.ToArray());
    }

    /// <summary>Returns whether <paramref name="name"/> is a variable name: Unicode letters, digits, combining marks and
    /// underscores, starting with a letter or underscore.</summary>
    public static bool IsIdentifier(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }

        var first = true;
        while (!name.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(name, out var rune, out var consumed) != OperationStatus.Done)
            {
                return false;
            }

            var category = Rune.GetUnicodeCategory(rune);
            var ok = rune.Value == '_'
                || Rune.IsLetter(rune)
                || category == UnicodeCategory.LetterNumber
                || (!first && category is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark);
            if (!ok)
            {
                return false;
            }

            first = false;
            name = name[consumed..];
        }

        return true;
    }

    private static PromptTemplateException Malformed(string template, int position, string problem, string? paramName)
    {
        var line = 1;
        var lineStart = 0;
        for (var k = 0; k < position; k++)
        {
            if (template[k] == '\n')
            {
                line++;
                lineStart = k + 1;
            }
        }

        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"The prompt template is malformed at position {position} (line {line}, column {position - lineStart + 1}): {problem}.");
        return new PromptTemplateException(message, position, paramName);
    }
}
