namespace Chains.Indexes.Loaders;

/// <summary>
/// The metadata keys that the built-in loaders and splitters write, so filters and prompts can name them without
/// string literals: <c>MetadataFilter.Eq(DocumentMetadataKeys.Extension, ".pdf")</c>.
/// </summary>
public static class DocumentMetadataKeys
{
    /// <summary>The source the document was read from: the path given to a file loader, or the path relative to the root
    /// folder (with <c>/</c> separators) for documents from a <see cref="DirectoryLoader"/>. A string.</summary>
    public const string Source = "source";

    /// <summary>The file's name with its extension (<c>intro.md</c>). A string.</summary>
    public const string FileName = "file_name";

    /// <summary>The file's extension in lower case, with the dot (<c>.md</c>). A string.</summary>
    public const string Extension = "extension";

    /// <summary>The name of the encoding a text file was decoded with (<c>utf-8</c>, <c>utf-16</c>, <c>GB18030</c>). A string.</summary>
    public const string Encoding = "encoding";

    /// <summary>The document's title: Markdown front matter <c>title</c> or first level-1 heading, the HTML
    /// <c>&lt;title&gt;</c>, the PDF or DOCX document properties. A string.</summary>
    public const string Title = "title";

    /// <summary>The 1-based page number of a PDF page. An integer.</summary>
    public const string Page = "page";

    /// <summary>The number of pages of the PDF a page came from. An integer.</summary>
    public const string PageCount = "page_count";

    /// <summary>The 0-based index of a CSV data row (the header row not counted) or of a JSON item selected by a path. An integer.</summary>
    public const string Row = "row";

    /// <summary>The 1-based line of the file where a CSV row starts. An integer.</summary>
    public const string Line = "line";

    /// <summary>The concrete JSON path of a selected JSON value (<c>$.items[3]</c>). A string.</summary>
    public const string JsonPath = "json_path";

    /// <summary>The 0-based index of a chunk within the document it was split from. An integer.</summary>
    public const string ChunkIndex = "chunk_index";

    /// <summary>Returns the key that holds the text of the enclosing heading of <paramref name="level"/>: <c>h1</c> ... <c>h6</c>.
    /// Markdown and DOCX sections carry the path of headings above them under these keys.</summary>
    /// <param name="level">The heading level, 1 to 6.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not between 1 and 6.</exception>
    public static string Heading(int level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 6);
        return HeadingKeys[level - 1];
    }

    private static readonly string[] HeadingKeys = ["h1", "h2", "h3", "h4", "h5", "h6"];
}
