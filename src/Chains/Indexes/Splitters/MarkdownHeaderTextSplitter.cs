using Chains.Indexes.Loaders;

namespace Chains.Indexes.Splitters;

/// <summary>
/// Splits Markdown at headings (<c>#</c>, <c>##</c>, <c>###</c> by default) into one chunk per section, with the path
/// of headings above it in the metadata: <c>h1</c> = "Guide", <c>h2</c> = "Install" (<see cref="DocumentMetadataKeys.Heading"/>).
/// LangChain's <c>MarkdownHeaderTextSplitter</c>, with exact spans.
/// </summary>
/// <remarks>
/// Headings follow CommonMark: up to three spaces of indent, <c>#</c> marks followed by a space, optional closing
/// <c>#</c>s; a one-line paragraph underlined with <c>===</c> or <c>---</c> is a level-1 or level-2 heading. Lines inside
/// fenced code blocks (<c>```</c>, <c>~~~</c>) are never headings. A heading clears the deeper levels of the path.
/// Text before the first heading is a chunk without heading metadata; sections with no text under their heading are
/// skipped. Chunks are not size-bounded: follow with a <see cref="RecursiveCharacterTextSplitter"/> for that, and the
/// spans and heading metadata carry through. The splitter is immutable and thread-safe.
/// </remarks>
public sealed class MarkdownHeaderTextSplitter : ITextSplitter
{
    private readonly bool[] _splitLevels = new bool[7];
    private readonly bool _stripHeadings;

    /// <summary>Initializes a splitter.</summary>
    /// <param name="options">The heading levels and whether headings stay in the content; <see langword="null"/> for
    /// levels 1 to 3 with headings stripped.</param>
    /// <exception cref="ArgumentException"><c>HeadingLevels</c> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A heading level is not between 1 and 6.</exception>
    public MarkdownHeaderTextSplitter(MarkdownHeaderTextSplitterOptions? options = null)
    {
        options ??= new MarkdownHeaderTextSplitterOptions();
        ArgumentNullException.ThrowIfNull(options.HeadingLevels, "options.HeadingLevels");
        if (options.HeadingLevels.Count == 0)
        {
            throw new ArgumentException("HeadingLevels must name at least one level between 1 and 6.", nameof(options));
        }

        foreach (var level in options.HeadingLevels)
        {
            if (level is < 1 or > 6)
            {
#pragma warning disable CA2208 // names the option property the caller set
                throw new ArgumentOutOfRangeException(nameof(options.HeadingLevels), level, $"Heading levels must be between 1 and 6, but one is {level}.");
#pragma warning restore CA2208
            }

            _splitLevels[level] = true;
        }

        _stripHeadings = options.StripHeadings;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="document"/> is <see langword="null"/>.</exception>
    public IReadOnlyList<Document> Split(Document document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var chunks = new List<Document>();
        foreach (var section in Sections(document.Content, 0))
        {
            chunks.Add(ChunkFactory.Create(document, chunks.Count, section.Start, section.Length, section.Headings));
        }

        return chunks;
    }

    /// <summary>The sections of <c>text[start..]</c>, trimmed, empty ones left out.</summary>
    internal List<Section> Sections(string text, int start)
    {
        var headings = MarkdownStructure.FindHeadings(text, start, text.Length).FindAll(h => _splitLevels[h.Level]);
        var sections = new List<Section>();
        var path = new string?[6];
        var metadata = DocumentMetadata.Empty;

        Add(start, start, headings.Count > 0 ? headings[0].Start : text.Length);
        for (var i = 0; i < headings.Count; i++)
        {
            var heading = headings[i];
            path[heading.Level - 1] = heading.Text;
            Array.Fill(path, null, heading.Level, 6 - heading.Level);
            metadata = Metadata(path);
            var end = i + 1 < headings.Count ? headings[i + 1].Start : text.Length;
            Add(_stripHeadings ? heading.BodyStart : heading.Start, heading.BodyStart, end);
        }

        return sections;

        void Add(int contentStart, int bodyStart, int end)
        {
            var (bodyFrom, bodyTo) = ChunkFactory.Trim(text, bodyStart, end);
            if (bodyTo <= bodyFrom)
            {
                return;
            }

            var (from, to) = ChunkFactory.Trim(text, contentStart, end);
            sections.Add(new Section(from, to - from, metadata));
        }
    }

    private static DocumentMetadata Metadata(string?[] path)
    {
        var entries = new List<KeyValuePair<string, object?>>();
        for (var level = 1; level <= path.Length; level++)
        {
            if (path[level - 1] is { } text)
            {
                entries.Add(new(DocumentMetadataKeys.Heading(level), text));
            }
        }

        return new DocumentMetadata(entries);
    }

    /// <summary>A section: its trimmed range and the heading path above it.</summary>
    internal readonly record struct Section(int Start, int Length, DocumentMetadata Headings);
}
