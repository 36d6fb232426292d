using Chains.Indexes.Loaders;

namespace Chains.Documents;

/// <summary>Options of a <see cref="DocxLoader"/>.</summary>
public sealed record DocxLoaderOptions : FileLoaderOptions
{
    /// <summary>Gets a value indicating whether the file is loaded as one document per section, each with the path of
    /// headings above it in the metadata (<c>h1</c>, <c>h2</c>...). <see langword="false"/> loads one document for the
    /// whole file. Defaults to <see langword="true"/>.</summary>
    public bool SplitByHeadings { get; init; } = true;

    /// <summary>Gets the heading levels that start a section when <see cref="SplitByHeadings"/> is set. Defaults to 1, 2 and 3.</summary>
    public IReadOnlyCollection<int> HeadingLevels { get; init; } = [1, 2, 3];

    /// <summary>Gets a value indicating whether a section's heading paragraph is left out of its content (it is always
    /// in the metadata). Defaults to <see langword="true"/>.</summary>
    public bool StripHeadings { get; init; } = true;
}
