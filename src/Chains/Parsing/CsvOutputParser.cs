using System.Runtime.CompilerServices;
using System.Text;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Parsing;

/// <summary>
/// Parses comma-separated values (<c>a, b, c</c>; the Chinese comma <c>，</c> separates too) into a list; while
/// streaming, yields the list each time an item is complete.
/// </summary>
/// <remarks>
/// <para>Items are trimmed and empty ones skipped. An item in double quotes may contain separators, and <c>""</c> inside
/// it stands for one quote (<c>"Hello, world", "say ""hi"""</c>). Line breaks outside quotes separate items too. The
/// parser never fails: text without items gives an empty list.</para>
/// <para>Streaming yields the growing list (a new list each time, every item so far) as soon as a separator ends an
/// item, and the last item when the stream ends, so the last chunk, like the run's combined output, is the whole
/// list.</para>
/// </remarks>
public sealed class CsvOutputParser : OutputParser<IReadOnlyList<string>>
{
    private readonly string _separators;

    /// <summary>Initializes a new instance of the <see cref="CsvOutputParser"/> class.</summary>
    /// <param name="separators">The characters that separate items; default <c>,</c> and <c>，</c>. Add <c>、</c> for
    /// Chinese enumerations (<c>苹果、香蕉</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="separators"/> is empty or holds a quote or whitespace.</exception>
    public CsvOutputParser(string separators = ",，")
    {
        ArgumentNullException.ThrowIfNull(separators);
        if (separators.Length == 0 || separators.Any(c => c == '"' || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException($"Give at least one separator, and neither a quote nor whitespace (got \"{separators}\").", nameof(separators));
        }

        _separators = separators;
    }

    /// <summary>Gets instructions asking for one line of comma-separated values.</summary>
    public override string FormatInstructions => "Return the items as comma-separated values on one line, e.g. `foo, bar, baz`, and nothing else.";

    /// <summary>Splits <paramref name="text"/> into items.</summary>
    /// <param name="text">The answer text.</param>
    /// <returns>The items, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public override IReadOnlyList<string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var splitter = new Splitter(_separators);
        splitter.Feed(text);
        splitter.Finish();
        return splitter.Items;
    }

    /// <summary>Yields the list so far each time a separator completes an item, then once more for the last item.</summary>
    /// <param name="input">The model's streamed chunks.</param>
    /// <param name="context">The run context of this step.</param>
    /// <param name="cancellationToken">A token that cancels the step.</param>
    /// <returns>The growing list.</returns>
    protected internal override async IAsyncEnumerable<IReadOnlyList<string>> TransformCoreAsync(IAsyncEnumerable<ChatResponse> input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var splitter = new Splitter(_separators);
        await foreach (var chunk in input.WithCancellation(cancellationToken))
        {
            if (chunk?.Text is not { Length: > 0 } delta)
            {
                continue;
            }

            var count = splitter.Items.Count;
            splitter.Feed(delta);
            if (splitter.Items.Count > count)
            {
                yield return splitter.Items.ToArray();
            }
        }

        var before = splitter.Items.Count;
        splitter.Finish();
        if (splitter.Items.Count > before || before == 0)
        {
            yield return splitter.Items.ToArray();
        }
    }

    /// <summary>Splits text fed in pieces; quotes and the quote that may be an escape carry over between pieces.</summary>
    private sealed class Splitter(string separators)
    {
        private readonly StringBuilder _item = new();
        private bool _inQuotes;
        private bool _quoteMayClose;
        private int _quotedLength = -1;

        public List<string> Items { get; } = [];

        public void Feed(string text)
        {
            foreach (var c in text)
            {
                if (_quoteMayClose)
                {
                    _quoteMayClose = false;
                    if (c == '"')
                    {
                        _item.Append('"');
                        _inQuotes = true;
                        continue;
                    }

                    _quotedLength = _item.Length;
                }

                if (_inQuotes)
                {
                    if (c == '"')
                    {
                        _inQuotes = false;
                        _quoteMayClose = true;
                    }
                    else
                    {
                        _item.Append(c);
                    }
                }
                else if (separators.Contains(c, StringComparison.Ordinal) || c is '\n' or '\r')
                {
                    EndItem();
                }
                else if (c == '"' && _quotedLength < 0 && IsBlank(_item))
                {
                    _item.Clear();
                    _inQuotes = true;
                }
                else
                {
                    _item.Append(c);
                }
            }
        }

        public void Finish()
        {
            if (_quoteMayClose)
            {
                _quoteMayClose = false;
                _quotedLength = _item.Length;
            }

            EndItem();
        }

        private static bool IsBlank(StringBuilder text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                if (!char.IsWhiteSpace(text[i]))
                {
                    return false;
                }
            }

            return true;
        }

        private void EndItem()
        {
            if (_inQuotes || _quoteMayClose)
            {
                // A separator inside quotes never gets here; an unclosed quote at the end keeps its text.
                _inQuotes = false;
                _quoteMayClose = false;
                _quotedLength = _item.Length;
            }

            var item = _item.ToString();
            if (_quotedLength >= 0)
            {
                Items.Add(item[.._quotedLength] + item[_quotedLength..].Trim());
            }
            else if (item.Trim() is { Length: > 0 } trimmed)
            {
                Items.Add(trimmed);
            }

            _item.Clear();
            _quotedLength = -1;
        }
    }
}
