using System.Text;

namespace Chains.Indexes.Loaders;

/// <summary>Options of a <see cref="MarkdownLoader"/>.</summary>
public sealed record MarkdownLoaderOptions : FileLoaderOptions
{
    /// <summary>Gets the encoding to read the file with; <see langword="null"/> (the default) detects it.</summary>
    public Encoding? Encoding { get; init; }

    /// <summary>Gets a value indicating whether the file is loaded as one document per section, each with its heading
    /// path in the metadata (<c>h1</c>, <c>h2</c>...). <see langword="false"/> loads one document for the whole file.
    /// Defaults to <see langword="true"/>.</summary>
    public bool SplitByHeadings { get; init; } = true;

    /// <summary>Gets the heading levels that start a section when <see cref="SplitByHeadings"/> is set. Defaults to 1, 2 and 3.</summary>
    public IReadOnlyCollection<int> HeadingLevels { get; init; } = [1, 2, 3];

    /// <summary>Gets a value indicating whether a section's heading line is left out of its content (it is always in the
    /// metadata). Defaults to <see langword="true"/>.</summary>
    public bool StripHeadings { get; init; } = true;

    /// <summary>Gets a value indicating whether YAML front matter (between <c>---</c> lines at the top) is read into the
    /// metadata and left out of the content. Scalars become strings, booleans or numbers, lists of scalars become
    /// string lists, nested mappings become <c>parent.child</c> keys. Front matter that is not valid YAML is kept as text.
    /// Defaults to <see langword="true"/>.</summary>
    public bool ParseFrontMatter { get; init; } = true;
}
