using System.Text;

namespace Chains.Indexes.Loaders;

/// <summary>The file a loader reads and the name its documents carry.</summary>
internal readonly record struct LoaderFile(string Path, string SourceName)
{
    public static LoaderFile Create(string path, FileLoaderOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var name = options?.SourceName;
        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("SourceName must be null or non-empty text.", nameof(options));
        }

        return new LoaderFile(path, name ?? path);
    }

    /// <summary>Metadata every document of the file carries: source, file name and extension.</summary>
    public DocumentMetadata Metadata() => new(
    [
        new(DocumentMetadataKeys.Source, SourceName),
        new(DocumentMetadataKeys.FileName, System.IO.Path.GetFileName(Path)),
        new(DocumentMetadataKeys.Extension, System.IO.Path.GetExtension(Path).ToLowerInvariant()),
    ]);

    /// <summary>Reads and decodes the whole file.</summary>
    public async Task<(string Text, Encoding Encoding)> ReadTextAsync(Encoding? forced, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(Path, cancellationToken);
        var encoding = forced ?? TextEncoding.Detect(bytes);
        return (TextEncoding.Decode(bytes, encoding), encoding);
    }
}
