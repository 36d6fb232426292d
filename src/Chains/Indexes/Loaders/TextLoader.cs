using System.Runtime.CompilerServices;

namespace Chains.Indexes.Loaders;

/// <summary>
/// Loads a plain-text file as one document. The id is the source name; the span covers the whole decoded text; the
/// metadata holds source, file name, extension and the encoding used (<see cref="DocumentMetadataKeys"/>).
/// </summary>
public sealed class TextLoader : IDocumentLoader
{
    private readonly LoaderFile _file;
    private readonly TextLoaderOptions _options;

    /// <summary>Initializes a loader for one file.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="options">The encoding and source name; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or the source name is blank.</exception>
    public TextLoader(string path, TextLoaderOptions? options = null)
    {
        _options = options ?? new TextLoaderOptions();
        _file = LoaderFile.Create(path, _options);
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The file cannot be read.</exception>
    public async IAsyncEnumerable<Document> LoadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (text, encoding) = await _file.ReadTextAsync(_options.Encoding, cancellationToken);
        var metadata = _file.Metadata().With(DocumentMetadataKeys.Encoding, encoding.WebName);
        yield return new Document(_file.SourceName, text, metadata, _file.SourceName, new SourceSpan(0, text.Length));
    }
}
