using System.Globalization;
using System.Runtime.CompilerServices;
using Chains.Indexes.Splitters;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Chains.Indexes.Loaders;

/// <summary>
/// Loads a Markdown file, by default as one document per section with the heading path in the metadata
/// (<c>h1</c> = "Guide", <c>h2</c> = "Install"), the title (front matter <c>title</c>, else the first level-1 heading)
/// and the YAML front matter's fields. Headings inside fenced code blocks do not start sections.
/// </summary>
/// <remarks>
/// Ids are <c>{source}#section-{i}</c> (0-based, in file order), or <c>{source}</c> when
/// <see cref="MarkdownLoaderOptions.SplitByHeadings"/> is off. Each document's span locates its content in the decoded
/// file text, so chunks split from it keep exact spans too.
/// </remarks>
public sealed class MarkdownLoader : IDocumentLoader
{
    private readonly LoaderFile _file;
    private readonly MarkdownLoaderOptions _options;
    private readonly MarkdownHeaderTextSplitter? _sections;

    /// <summary>Initializes a loader for one file.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="options">Sectioning, front matter, encoding and source name; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, the source name is blank, or
    /// <c>HeadingLevels</c> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A heading level is not between 1 and 6.</exception>
    public MarkdownLoader(string path, MarkdownLoaderOptions? options = null)
    {
        _options = options ?? new MarkdownLoaderOptions();
        _file = LoaderFile.Create(path, _options);
        if (_options.SplitByHeadings)
        {
            _sections = new MarkdownHeaderTextSplitter(new MarkdownHeaderTextSplitterOptions
            {
                HeadingLevels = _options.HeadingLevels,
                StripHeadings = _options.StripHeadings,
            });
        }
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The file cannot be read.</exception>
    public async IAsyncEnumerable<Document> LoadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (text, encoding) = await _file.ReadTextAsync(_options.Encoding, cancellationToken);
        var metadata = DocumentMetadata.Empty;
        var bodyStart = 0;
        if (_options.ParseFrontMatter && MarkdownStructure.TryFindFrontMatter(text, out var yaml, out var afterFrontMatter) &&
            TryReadFrontMatter(text[yaml], out var frontMatter))
        {
            metadata = frontMatter;
            bodyStart = afterFrontMatter;
        }

        metadata = metadata.With(_file.Metadata()).With(DocumentMetadataKeys.Encoding, encoding.WebName);
        if (metadata.GetString(DocumentMetadataKeys.Title) is null)
        {
            var firstTitle = MarkdownStructure.FindHeadings(text, bodyStart, text.Length).Find(h => h.Level == 1).Text;
            metadata = firstTitle is null ? metadata.Without(DocumentMetadataKeys.Title) : metadata.With(DocumentMetadataKeys.Title, firstTitle);
        }

        if (_sections is null)
        {
            var (start, end) = ChunkFactory.Trim(text, bodyStart, text.Length);
            yield return new Document(_file.SourceName, text[start..end], metadata, _file.SourceName, new SourceSpan(start, end - start));
            yield break;
        }

        var index = 0;
        foreach (var section in _sections.Sections(text, bodyStart))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new Document(
                $"{_file.SourceName}#section-{index++}",
                text.Substring(section.Start, section.Length),
                metadata.With(section.Headings),
                _file.SourceName,
                new SourceSpan(section.Start, section.Length));
        }
    }

    private static bool TryReadFrontMatter(string yaml, out DocumentMetadata metadata)
    {
        metadata = DocumentMetadata.Empty;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException)
        {
            return false;
        }

        if (stream.Documents.Count == 0)
        {
            return true; // empty front matter
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return false;
        }

        var entries = new List<KeyValuePair<string, object?>>();
        Flatten(root, prefix: null, entries);
        metadata = new DocumentMetadata(entries);
        return true;
    }

    private static void Flatten(YamlMappingNode mapping, string? prefix, List<KeyValuePair<string, object?>> entries)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } name })
            {
                continue;
            }

            var key = prefix is null ? name : $"{prefix}.{name}";
            switch (valueNode)
            {
                case YamlScalarNode scalar:
                    entries.Add(new(key, Scalar(scalar)));
                    break;
                case YamlSequenceNode sequence when sequence.Children.All(c => c is YamlScalarNode):
                    entries.Add(new(key, sequence.Children.Select(c => ((YamlScalarNode)c).Value ?? string.Empty).ToArray()));
                    break;
                case YamlMappingNode nested:
                    Flatten(nested, key, entries);
                    break;
                default:
                    break; // lists of mappings have no metadata form
            }
        }
    }

    private static object? Scalar(YamlScalarNode node)
    {
        var value = node.Value;
        if (node.Style != ScalarStyle.Plain)
        {
            return value;
        }

        if (value is null or "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (bool.TryParse(value, out var flag))
        {
            return flag;
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return value;
    }
}
