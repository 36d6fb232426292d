namespace Chains.Indexes.Splitters;

/// <summary>Options of a <see cref="TokenTextSplitter"/>; validated when the splitter is created.</summary>
public sealed record TokenTextSplitterOptions
{
    /// <summary>Gets the number of tokens per chunk. Must be positive. Defaults to 512.</summary>
    public int ChunkSize { get; init; } = 512;

    /// <summary>Gets the number of tokens at the end of one chunk that start the next. Must be at least 0 and less than
    /// <see cref="ChunkSize"/>. Defaults to 64.</summary>
    public int ChunkOverlap { get; init; } = 64;

    /// <summary>Gets a value indicating whether white space at the start and end of each chunk is left out of the chunk
    /// (and of its span). Defaults to <see langword="true"/>.</summary>
    public bool TrimWhitespace { get; init; } = true;
}
