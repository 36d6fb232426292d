using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Chains.Indexes;
using Chains.Indexes.Loaders;
using Document = Chains.Indexes.Document;

namespace Chains.Documents;

/// <summary>
/// Loads the main text of an HTML file with AngleSharp as one document, with the page's <c>&lt;title&gt;</c> (else its
/// first <c>&lt;h1&gt;</c>) as <see cref="DocumentMetadataKeys.Title"/>.
/// </summary>
/// <remarks>
/// The main text is the content of <c>&lt;main&gt;</c> (or <c>role="main"</c>), else of the only <c>&lt;article&gt;</c>,
/// else of <c>&lt;body&gt;</c>, without scripts, styles, templates, forms controls, hidden elements, navigation, asides
/// and footers (and page headers when falling back to the body). Block elements become line breaks, paragraphs and
/// headings are separated by a blank line, list items start with <c>- </c>, table cells are separated by tabs, and
/// white space is collapsed except inside <c>&lt;pre&gt;</c>. The id is <c>{source}</c>; the text is extracted rather
/// than sliced from the file, so the document has no span.
/// </remarks>
public sealed partial class HtmlLoader : IDocumentLoader
{
    private static readonly HashSet<string> Dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "nav", "aside", "footer",
        "button", "select", "input", "textarea", "head", "dialog",
    };

    private static readonly HashSet<string> Paragraphs = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl", "figure", "hr", "address", "details",
    };

    private static readonly HashSet<string> Lines = new(StringComparer.OrdinalIgnoreCase)
    {
        "div", "section", "article", "main", "header", "li", "tr", "dt", "dd", "figcaption", "summary", "caption", "form", "fieldset", "legend", "br",
    };

    private readonly DocumentFile _file;
    private readonly HtmlLoaderOptions _options;

    /// <summary>Initializes a loader for one file.</summary>
    /// <param name="path">The HTML file to read.</param>
    /// <param name="options">Encoding, content selector and source name; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, the source name is blank, or the content
    /// selector is blank.</exception>
    public HtmlLoader(string path, HtmlLoaderOptions? options = null)
    {
        _options = options ?? new HtmlLoaderOptions();
        _file = DocumentFile.Create(path, _options);
        if (_options.ContentSelector is { } selector && string.IsNullOrWhiteSpace(selector))
        {
            throw new ArgumentException("ContentSelector must be null or a CSS selector.", nameof(options));
        }
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The content selector matches nothing.</exception>
    public IAsyncEnumerable<Document> LoadAsync(CancellationToken cancellationToken = default)
        => DocumentsTelemetry.IsEnabled
            ? DocumentsTelemetry.TraceAsync(DocumentsTelemetry.Html, _file.Path, LoadCoreAsync, cancellationToken)
            : LoadCoreAsync(null, cancellationToken);

    private async IAsyncEnumerable<Document> LoadCoreAsync(DocumentsTelemetry.LoadTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(_file.Path, cancellationToken).ConfigureAwait(false);
        var encoding = _options.Encoding ?? DetectEncoding(bytes);
        var html = TextEncoding.Decode(bytes, encoding);
        using var page = new HtmlParser().ParseDocument(html);

        var metadata = _file.Metadata().With(DocumentMetadataKeys.Encoding, encoding.WebName);
        var title = Collapse(page.Title ?? string.Empty);
        if (title.Length == 0)
        {
            title = Collapse(page.QuerySelector("h1")?.TextContent ?? string.Empty);
        }

        if (title.Length > 0)
        {
            metadata = metadata.With(DocumentMetadataKeys.Title, title);
        }

        var (root, isBody) = MainElement(page);
        var text = root is null ? string.Empty : new MainTextWriter(isBody).Write(root);
        if (text.Length > 0)
        {
            yield return new Document(_file.SourceName, text, metadata, _file.SourceName);
        }
    }

    private (IElement? Root, bool IsBody) MainElement(IDocument page)
    {
        if (_options.ContentSelector is { } selector)
        {
            return (page.QuerySelector(selector) ?? throw new InvalidDataException($"{_file.SourceName}: nothing matches the selector '{selector}'."), false);
        }

        if (page.QuerySelector("main, [role=main]") is { } main)
        {
            return (main, false);
        }

        var articles = page.QuerySelectorAll("article");
        if (articles.Length == 1)
        {
            return (articles[0], false);
        }

        return (page.Body ?? page.DocumentElement, true);
    }

    private static Encoding DetectEncoding(byte[] bytes)
    {
        var detected = TextEncoding.Detect(bytes);
        if (detected.CodePage != TextEncoding.Gb18030.CodePage)
        {
            return detected; // byte order mark or valid UTF-8
        }

        var head = Encoding.Latin1.GetString(bytes, 0, Math.Min(bytes.Length, 4096));
        if (Charset().Match(head) is { Success: true } match)
        {
            var name = match.Groups[1].Value.ToLowerInvariant();
            try
            {
                return name switch
                {
                    // As browsers do (WHATWG Encoding): GBK labels decode with the GB18030 superset, Latin-1 labels as windows-1252.
                    "gbk" or "gb2312" or "x-gbk" or "gb_2312-80" or "csgb2312" or "chinese" or "iso-ir-58" => TextEncoding.Gb18030,
                    "iso-8859-1" or "latin1" or "l1" or "ascii" or "us-ascii" or "cp1252" => CodePagesEncodingProvider.Instance.GetEncoding(1252)!,
                    _ => CodePagesEncodingProvider.Instance.GetEncoding(name) ?? Encoding.GetEncoding(name),
                };
            }
            catch (ArgumentException)
            {
                // An unknown charset name: fall back to the detected encoding.
            }
        }

        return detected;
    }

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"<meta[^>]+charset\s*=\s*[""']?\s*([A-Za-z0-9_\-:.]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Charset();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>Turns an element tree into text with block structure.</summary>
    private sealed class MainTextWriter(bool isBody)
    {
        private readonly StringBuilder _text = new();
        private int _pendingBreaks;
        private bool _pendingSpace;

        public string Write(IElement root)
        {
            Visit(root, preformatted: false);
            return _text.ToString().Trim();
        }

        private void Visit(INode node, bool preformatted)
        {
            foreach (var child in node.ChildNodes)
            {
                switch (child)
                {
                    case IText text:
                        AppendText(text.Data, preformatted);
                        break;
                    case IElement element:
                        VisitElement(element, preformatted);
                        break;
                    default:
                        break;
                }
            }
        }

        private void VisitElement(IElement element, bool preformatted)
        {
            var name = element.LocalName;
            if (Dropped.Contains(name) || (isBody && name == "header") || element.HasAttribute("hidden") ||
                string.Equals(element.GetAttribute("aria-hidden"), "true", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            if (name == "br")
            {
                _text.Append('\n');
                _pendingSpace = false;
                return;
            }

            var breaks = Paragraphs.Contains(name) ? 2 : Lines.Contains(name) ? 1 : 0;
            Break(breaks);
            if (name == "li")
            {
                AppendRaw("- ");
            }
            else if (name is "td" or "th" && element.PreviousElementSibling is not null)
            {
                AppendRaw("\t");
            }

            Visit(element, preformatted || name == "pre");
            Break(breaks);
        }

        private void Break(int count)
        {
            _pendingBreaks = Math.Max(_pendingBreaks, count);
            if (count > 0)
            {
                _pendingSpace = false;
            }
        }

        private void AppendText(string data, bool preformatted)
        {
            if (preformatted)
            {
                AppendRaw(data);
                return;
            }

            var collapsed = Whitespace().Replace(data, " ");
            if (collapsed.Length == 0)
            {
                return;
            }

            var leadingSpace = collapsed[0] == ' ';
            var trailingSpace = collapsed[^1] == ' ';
            var words = collapsed.Trim();
            if (words.Length == 0)
            {
                _pendingSpace |= _text.Length > 0;
                return;
            }

            if (leadingSpace && _pendingBreaks == 0 && _text.Length > 0)
            {
                _pendingSpace = true;
            }

            AppendRaw(words);
            _pendingSpace = trailingSpace;
        }

        private void AppendRaw(string value)
        {
            if (_text.Length > 0 && _pendingBreaks > 0)
            {
                while (_text.Length > 0 && _text[^1] is ' ' or '\t' && value != "\t")
                {
                    _text.Length--;
                }

                var existing = 0;
                for (var i = _text.Length - 1; i >= 0 && _text[i] == '\n'; i--)
                {
                    existing++;
                }

                _text.Append('\n', Math.Max(0, _pendingBreaks - existing));
            }
            else if (_pendingSpace && _text.Length > 0 && _text[^1] is not (' ' or '\n' or '\t'))
            {
                _text.Append(' ');
            }

            _pendingBreaks = 0;
            _pendingSpace = false;
            _text.Append(value);
        }
    }
}
