using System.Text;

namespace Chains.Indexes.Loaders;

/// <summary>Options of a <see cref="CsvLoader"/>: the dialect and which columns form the content and the metadata.</summary>
public sealed record CsvLoaderOptions : FileLoaderOptions
{
    /// <summary>Gets the encoding to read the file with; <see langword="null"/> (the default) detects it.</summary>
    public Encoding? Encoding { get; init; }

    /// <summary>Gets the field delimiter. Defaults to a comma; use <c>'\t'</c> for TSV.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>Gets a value indicating whether the first record names the columns. When <see langword="false"/> the
    /// columns are named <c>column1</c>, <c>column2</c>... Defaults to <see langword="true"/>.</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>Gets the columns whose values form a row's content, in this order. One column gives its value as is;
    /// several give <c>name: value</c> lines. <see langword="null"/> (the default) uses every column that is not in
    /// <see cref="MetadataColumns"/>.</summary>
    public IReadOnlyList<string>? ContentColumns { get; init; }

    /// <summary>Gets the columns copied into each row's metadata as strings, under the column name. Defaults to none.</summary>
    public IReadOnlyList<string> MetadataColumns { get; init; } = [];
}
