namespace Chains.Indexes;

/// <summary>
/// A piece of text with where it came from: an id, the content, typed metadata, the source (a path or URL) and the
/// character span of the content inside that source. Loaders produce documents; splitters produce smaller documents
/// whose spans still point into the original source, so a citation can quote the exact passage.
/// </summary>
public sealed record Document
{
    /// <summary>Initializes a new document.</summary>
    /// <param name="id">A stable id, unique within a store (e.g. <c>"docs/intro.md#3"</c>).</param>
    /// <param name="content">The text.</param>
    /// <param name="metadata">Typed metadata (title, page, headings...); <see langword="null"/> for none.</param>
    /// <param name="source">Where the text came from (a path, URL or name); <see langword="null"/> when unknown.</param>
    /// <param name="span">Where <paramref name="content"/> sits inside the source text, in UTF-16 characters.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or whitespace.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="content"/> is <see langword="null"/>.</exception>
    public Document(string id, string content, DocumentMetadata? metadata = null, string? source = null, SourceSpan? span = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(content);
        Id = id;
        Content = content;
        Metadata = metadata ?? DocumentMetadata.Empty;
        Source = source;
        Span = span;
    }

    /// <summary>Gets the document's id, unique within a store.</summary>
    public string Id { get; init; }

    /// <summary>Gets the text.</summary>
    public string Content { get; init; }

    /// <summary>Gets the typed metadata.</summary>
    public DocumentMetadata Metadata { get; init; }

    /// <summary>Gets where the text came from (a path, URL or name), or <see langword="null"/>.</summary>
    public string? Source { get; init; }

    /// <summary>Gets where <see cref="Content"/> sits inside the source text, or <see langword="null"/> when unknown.</summary>
    public SourceSpan? Span { get; init; }
}

/// <summary>A range of UTF-16 characters in a source text.</summary>
/// <param name="Start">The index of the first character.</param>
/// <param name="Length">The number of characters.</param>
public readonly record struct SourceSpan(int Start, int Length)
{
    /// <summary>Gets the index just past the last character.</summary>
    public int End => Start + Length;

    /// <summary>Gets the span shifted by <paramref name="offset"/> characters.</summary>
    /// <param name="offset">The shift.</param>
    /// <returns>The shifted span.</returns>
    public SourceSpan Shift(int offset) => new(Start + offset, Length);

    /// <inheritdoc />
    public override string ToString() => $"[{Start}..{End})";
}
