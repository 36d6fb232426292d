using System.Text;

namespace Chains.Indexes.Loaders;

/// <summary>Options of a <see cref="JsonLoader"/>: which values become documents and what goes into their content and metadata.</summary>
public sealed record JsonLoaderOptions : FileLoaderOptions
{
    /// <summary>Gets the encoding to read the file with; <see langword="null"/> (the default) detects it.</summary>
    public Encoding? Encoding { get; init; }

    /// <summary>Gets the JSONPath that selects the values to load, one document each. Supported: <c>$</c> (the root),
    /// <c>.name</c> and <c>['name']</c> (a property), <c>[3]</c> (an element; negative counts from the end), <c>[*]</c>
    /// and <c>.*</c> (every element or property value), <c>..name</c> and <c>..*</c> (at any depth). Defaults to <c>$</c>.
    /// Example: <c>$.articles[*]</c>.</summary>
    public string Path { get; init; } = "$";

    /// <summary>Gets the property of each selected object that holds its content. <see langword="null"/> (the default)
    /// uses the selected value itself. A string value is the content as is; any other value is its compact JSON text.</summary>
    public string? ContentProperty { get; init; }

    /// <summary>Gets the properties of each selected object copied into its metadata: strings, numbers, booleans and
    /// nulls as such, arrays of strings as string lists, anything else as JSON text. Missing properties are skipped.
    /// Defaults to none.</summary>
    public IReadOnlyList<string> MetadataProperties { get; init; } = [];

    /// <summary>Gets a value indicating whether the file holds JSON Lines (one JSON value per line), each line being
    /// selected from as if the file were an array of them (<c>$[line index]</c>). <see langword="null"/> (the default)
    /// decides by extension: <c>.jsonl</c> and <c>.ndjson</c> are JSON Lines.</summary>
    public bool? JsonLines { get; init; }
}
