namespace Chains.Indexes.Splitters;

/// <summary>Options of a <see cref="MarkdownHeaderTextSplitter"/>; validated when the splitter is created.</summary>
public sealed record MarkdownHeaderTextSplitterOptions
{
    /// <summary>Gets the heading levels that start a new chunk: 1 for <c>#</c>, 2 for <c>##</c>... up to 6. Headings of
    /// other levels stay inside the chunk's text. Defaults to 1, 2 and 3.</summary>
    public IReadOnlyCollection<int> HeadingLevels { get; init; } = [1, 2, 3];

    /// <summary>Gets a value indicating whether the heading line is left out of its chunk's content (it is always in the
    /// metadata). Defaults to <see langword="true"/>, as in LangChain.</summary>
    public bool StripHeadings { get; init; } = true;
}
