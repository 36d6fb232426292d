using System.Runtime.CompilerServices;
using System.Text;
using Chains.Indexes;
using Chains.Indexes.Loaders;
using Document = Chains.Indexes.Document;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Chains.Documents;

/// <summary>
/// Loads a Word document (.docx) with the Open XML SDK: body paragraphs and tables in order, by default one document
/// per section with the heading path in the metadata (<c>h1</c>, <c>h2</c>...) and the title from the document
/// properties (else the first <c>Title</c> or level-1 heading paragraph).
/// </summary>
/// <remarks>
/// Headings are paragraphs whose style is a built-in <c>heading N</c> style (or based on one), or that carry an outline
/// level. Paragraphs are separated by a blank line; table rows become lines with cells separated by tabs; tabs and
/// line breaks inside paragraphs are kept; deleted revisions and field codes are not text. Ids are
/// <c>{source}#section-{i}</c>, or <c>{source}</c> for the whole file. The text is extracted rather than sliced from a
/// text file, so the documents have no span; chunks get spans relative to the document's content.
/// </remarks>
public sealed class DocxLoader : IDocumentLoader
{
    private readonly DocumentFile _file;
    private readonly DocxLoaderOptions _options;
    private readonly bool[] _splitLevels = new bool[10];

    /// <summary>Initializes a loader for one file.</summary>
    /// <param name="path">The .docx file to read.</param>
    /// <param name="options">Sectioning and source name; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, the source name is blank, or
    /// <c>HeadingLevels</c> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A heading level is not between 1 and 6.</exception>
    public DocxLoader(string path, DocxLoaderOptions? options = null)
    {
        _options = options ?? new DocxLoaderOptions();
        _file = DocumentFile.Create(path, _options);
        ArgumentNullException.ThrowIfNull(_options.HeadingLevels, "options.HeadingLevels");
        if (_options.HeadingLevels.Count == 0)
        {
            throw new ArgumentException("HeadingLevels must name at least one level between 1 and 6.", nameof(options));
        }

        foreach (var level in _options.HeadingLevels)
        {
            if (level is < 1 or > 6)
            {
#pragma warning disable CA2208 // names the option property the caller set
                throw new ArgumentOutOfRangeException(nameof(options.HeadingLevels), level, $"Heading levels must be between 1 and 6, but one is {level}.");
#pragma warning restore CA2208
            }

            _splitLevels[level] = true;
        }
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The file is not a Word document.</exception>
    public IAsyncEnumerable<Document> LoadAsync(CancellationToken cancellationToken = default)
        => DocumentsTelemetry.IsEnabled
            ? DocumentsTelemetry.TraceAsync(DocumentsTelemetry.Docx, _file.Path, LoadCoreAsync, cancellationToken)
            : LoadCoreAsync(null, cancellationToken);

    private async IAsyncEnumerable<Document> LoadCoreAsync(DocumentsTelemetry.LoadTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(_file.Path, cancellationToken).ConfigureAwait(false);
        var (blocks, title) = Read(bytes);
        var metadata = _file.Metadata();
        title ??= blocks.Find(b => b.Level == 1).Text;
        if (!string.IsNullOrWhiteSpace(title))
        {
            metadata = metadata.With(DocumentMetadataKeys.Title, title.Trim());
        }

        if (!_options.SplitByHeadings)
        {
            var all = Join(blocks.Select(b => b.Text));
            if (all.Length > 0)
            {
                yield return new Document(_file.SourceName, all, metadata, _file.SourceName);
            }

            yield break;
        }

        var path = new string?[6];
        var sectionMetadata = metadata;
        var body = new List<string>();
        string? heading = null;
        var index = 0;
        foreach (var block in blocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (block.Level is >= 1 and <= 6 && _splitLevels[block.Level])
            {
                if (Section() is { } section)
                {
                    yield return section;
                }

                path[block.Level - 1] = block.Text.Trim();
                Array.Fill(path, null, block.Level, 6 - block.Level);
                sectionMetadata = metadata;
                for (var level = 1; level <= 6; level++)
                {
                    if (path[level - 1] is { } text)
                    {
                        sectionMetadata = sectionMetadata.With(DocumentMetadataKeys.Heading(level), text);
                    }
                }

                heading = block.Text;
                body.Clear();
                continue;
            }

            body.Add(block.Text);
        }

        if (Section() is { } last)
        {
            yield return last;
        }

        Document? Section()
        {
            var text = Join(body);
            if (text.Length == 0)
            {
                return null;
            }

            if (!_options.StripHeadings && heading is not null)
            {
                text = Join([heading, text]);
            }

            return new Document($"{_file.SourceName}#section-{index++}", text, sectionMetadata, _file.SourceName);
        }
    }

    private (List<Block> Blocks, string? Title) Read(byte[] bytes)
    {
        WordprocessingDocument word;
        try
        {
            word = WordprocessingDocument.Open(new MemoryStream(bytes, writable: false), isEditable: false);
        }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or FileFormatException or IOException)
        {
            throw new InvalidDataException($"{_file.SourceName}: not a Word document. {e.Message}", e);
        }

        using (word)
        {
            var styles = StyleLevels(word.MainDocumentPart?.StyleDefinitionsPart?.Styles);
            var blocks = new List<Block>();
            string? titleParagraph = null;
            if (word.MainDocumentPart?.Document?.Body is { } documentBody)
            {
                Collect(documentBody, styles, blocks, ref titleParagraph);
            }

            var title = word.PackageProperties.Title;
            return (blocks, string.IsNullOrWhiteSpace(title) ? titleParagraph : title);
        }
    }

    private static void Collect(OpenXmlElement container, Dictionary<string, int> styles, List<Block> blocks, ref string? title)
    {
        foreach (var element in container.ChildElements)
        {
            switch (element)
            {
                case Paragraph paragraph:
                    var text = ParagraphText(paragraph);
                    if (string.IsNullOrWhiteSpace(text))
                    {
                        break;
                    }

                    var level = HeadingLevel(paragraph, styles);
                    if (level == TitleLevel)
                    {
                        title ??= text.Trim();
                        level = 0;
                    }

                    blocks.Add(new Block(text, level));
                    break;
                case Table table:
                    var rows = table.Elements<TableRow>()
                        .Select(row => string.Join('\t', row.Elements<TableCell>().Select(cell => string.Join(' ', cell.Elements<Paragraph>().Select(ParagraphText)).Trim())))
                        .Where(row => !string.IsNullOrWhiteSpace(row));
                    var tableText = string.Join('\n', rows);
                    if (tableText.Length > 0)
                    {
                        blocks.Add(new Block(tableText, 0));
                    }

                    break;
                default:
                    Collect(element, styles, blocks, ref title); // content controls, custom XML, inserted revisions
                    break;
            }
        }
    }

    private static string ParagraphText(Paragraph paragraph)
    {
        var builder = new StringBuilder();
        foreach (var element in paragraph.Descendants())
        {
            switch (element)
            {
                case Text text:
                    builder.Append(text.Text);
                    break;
                case TabChar:
                    builder.Append('\t');
                    break;
                case Break or CarriageReturn:
                    builder.Append('\n');
                    break;
                case NoBreakHyphen:
                    builder.Append('-');
                    break;
                default:
                    break;
            }
        }

        return builder.ToString();
    }

    private const int TitleLevel = -1;

    /// <summary>The heading level of a paragraph: 1 to 9, <see cref="TitleLevel"/> for the Title style, 0 for body text.</summary>
    private static int HeadingLevel(Paragraph paragraph, Dictionary<string, int> styles)
    {
        var properties = paragraph.ParagraphProperties;
        if (properties?.OutlineLevel?.Val?.Value is { } outline && outline < 9)
        {
            return outline + 1;
        }

        var styleId = properties?.ParagraphStyleId?.Val?.Value;
        if (styleId is null)
        {
            return 0;
        }

        if (styles.TryGetValue(styleId, out var level))
        {
            return level;
        }

        return LevelFromName(styleId);
    }

    /// <summary>Maps style ids to heading levels, following <c>basedOn</c> chains.</summary>
    private static Dictionary<string, int> StyleLevels(Styles? styles)
    {
        var all = styles?.Elements<Style>().Where(s => s.StyleId?.Value is not null).GroupBy(s => s.StyleId!.Value!).ToDictionary(g => g.Key, g => g.First())
            ?? [];
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var id in all.Keys)
        {
            var current = id;
            for (var depth = 0; depth < 10 && current is not null && all.TryGetValue(current, out var style); depth++)
            {
                var level = style.StyleParagraphProperties?.OutlineLevel?.Val?.Value is { } outline && outline < 9
                    ? outline + 1
                    : LevelFromName(style.StyleName?.Val?.Value ?? current);
                if (level != 0)
                {
                    levels[id] = level;
                    break;
                }

                current = style.BasedOn?.Val?.Value;
            }
        }

        return levels;
    }

    private static int LevelFromName(string name)
    {
        var compact = name.Replace(" ", string.Empty, StringComparison.Ordinal);
        if (compact.Equals("Title", StringComparison.OrdinalIgnoreCase))
        {
            return TitleLevel;
        }

        return compact.StartsWith("heading", StringComparison.OrdinalIgnoreCase) && compact.Length == 8 && compact[7] is >= '1' and <= '9'
            ? compact[7] - '0'
            : 0;
    }

    private static string Join(IEnumerable<string> texts) => string.Join("\n\n", texts.Select(t => t.Trim()).Where(t => t.Length > 0));

    private readonly record struct Block(string Text, int Level);
}
