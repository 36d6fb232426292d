using Chains.Indexes;
using Chains.Indexes.Loaders;

namespace Chains.Documents;

/// <summary>The file a loader reads and the name its documents carry (as in the text loaders of Chains).</summary>
internal readonly record struct DocumentFile(string Path, string SourceName)
{
    public static DocumentFile Create(string path, FileLoaderOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var name = options?.SourceName;
        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("SourceName must be null or non-empty text.", nameof(options));
        }

        return new DocumentFile(path, name ?? path);
    }

    /// <summary>Metadata every document of the file carries: source, file name and extension.</summary>
    public DocumentMetadata Metadata() => new(
    [
        new(DocumentMetadataKeys.Source, SourceName),
        new(DocumentMetadataKeys.FileName, System.IO.Path.GetFileName(Path)),
        new(DocumentMetadataKeys.Extension, System.IO.Path.GetExtension(Path).ToLowerInvariant()),
    ]);
}
