using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Parsing;

/// <summary>
/// Parses a list written one item per line, removing bullets (<c>-</c>, <c>*</c>, <c>•</c>) and numbering
/// (<c>1.</c>, <c>2)</c>, <c>(3)</c>, <c>1、</c>, <c>一、</c>, <c>①</c>); while streaming, yields the list each time an item
/// is complete.
/// </summary>
/// <remarks>
/// <para>Blank lines and code-fence lines (<c>```</c>) are skipped; every other line is one item, trimmed. The parser
/// never fails: text without items gives an empty list.</para>
/// <para>Streaming yields the growing list (a new list each time, every item so far) as soon as a line ends, and the
/// last item when the stream ends, so the last chunk, like the run's combined output, is the whole list.</para>
/// </remarks>
public sealed partial class ListOutputParser : OutputParser<IReadOnlyList<string>>
{
    /// <summary>Gets instructions asking for one item per line.</summary>
    public override string FormatInstructions => "Return the items one per line, with no numbering, bullets or other text.";

    /// <summary>Splits <paramref name="text"/> into items, one per non-blank line, without bullets or numbering.</summary>
    /// <param name="text">The answer text.</param>
    /// <returns>The items, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public override IReadOnlyList<string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var items = new List<string>();
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (ToItem(line) is { } item)
            {
                items.Add(item);
            }
        }

        return items;
    }

    /// <summary>Yields the list so far each time a line completes an item, then once more for a last unterminated item.</summary>
    /// <param name="input">The model's streamed chunks.</param>
    /// <param name="context">The run context of this step.</param>
    /// <param name="cancellationToken">A token that cancels the step.</param>
    /// <returns>The growing list.</returns>
    protected internal override async IAsyncEnumerable<IReadOnlyList<string>> TransformCoreAsync(IAsyncEnumerable<ChatResponse> input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var items = new List<string>();
        var pending = new StringBuilder();
        await foreach (var chunk in input.WithCancellation(cancellationToken))
        {
            if (chunk?.Text is not { Length: > 0 } delta)
            {
                continue;
            }

            var added = false;
            foreach (var c in delta)
            {
                if (c != '\n')
                {
                    pending.Append(c);
                    continue;
                }

                if (ToItem(pending.ToString()) is { } item)
                {
                    items.Add(item);
                    added = true;
                }

                pending.Clear();
            }

            if (added)
            {
                yield return items.ToArray();
            }
        }

        if (ToItem(pending.ToString()) is { } last)
        {
            items.Add(last);
            yield return items.ToArray();
        }
        else if (items.Count == 0)
        {
            yield return [];
        }
    }

    private static string? ToItem(ReadOnlySpan<char> line)
    {
        line = line.Trim();
        if (line.IsEmpty || line.StartsWith("```", StringComparison.Ordinal))
        {
            return null;
        }

        var marker = Marker().Match(line.ToString());
        if (marker.Success)
        {
            line = line[marker.Length..].TrimStart();
        }

        return line.IsEmpty ? null : line.ToString();
    }

    [GeneratedRegex(@"^(?:[-*+]\s+|[•·‣◦▪●]\s*|\d{1,3}\s*[.)、．:：](?!\d)|[(（]\d{1,3}[)）]|[一二三四五六七八九十]{1,3}\s*[、.．]|[①-⑳])")]
    private static partial Regex Marker();
}
