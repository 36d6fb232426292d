using System.Runtime.CompilerServices;
using Chains.Indexes;
using Chains.Indexes.Loaders;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace Chains.Documents;

/// <summary>
/// Loads a PDF with PdfPig as one document per page, text in content order, with the 1-based
/// <see cref="DocumentMetadataKeys.Page"/>, the <see cref="DocumentMetadataKeys.PageCount"/> and the document's title.
/// </summary>
/// <remarks>
/// Ids are <c>{source}#page-{n}</c>. Pages without text (scanned images) are skipped: this loader does no OCR. Page text
/// is extracted rather than sliced from a text file, so the documents have no span; chunks of a page get spans relative
/// to the page's text, which with the page number locates a passage.
/// </remarks>
public sealed class PdfLoader : IDocumentLoader
{
    private readonly DocumentFile _file;
    private readonly PdfLoaderOptions _options;

    /// <summary>Initializes a loader for one file.</summary>
    /// <param name="path">The PDF to read.</param>
    /// <param name="options">The password and source name; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or the source name is blank.</exception>
    public PdfLoader(string path, PdfLoaderOptions? options = null)
    {
        _options = options ?? new PdfLoaderOptions();
        _file = DocumentFile.Create(path, _options);
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The file is not a PDF PdfPig can read, or the password is wrong.</exception>
    public IAsyncEnumerable<Document> LoadAsync(CancellationToken cancellationToken = default)
        => DocumentsTelemetry.IsEnabled
            ? DocumentsTelemetry.TraceAsync(DocumentsTelemetry.Pdf, _file.Path, LoadCoreAsync, cancellationToken)
            : LoadCoreAsync(null, cancellationToken);

    private async IAsyncEnumerable<Document> LoadCoreAsync(DocumentsTelemetry.LoadTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(_file.Path, cancellationToken).ConfigureAwait(false);
        using var pdf = Open(bytes);
        trace?.SetPages(pdf.NumberOfPages);
        var metadata = _file.Metadata().With(DocumentMetadataKeys.PageCount, pdf.NumberOfPages);
        if (pdf.Information.Title is { } title && !string.IsNullOrWhiteSpace(title))
        {
            metadata = metadata.With(DocumentMetadataKeys.Title, title.Trim());
        }

        for (var number = 1; number <= pdf.NumberOfPages; number++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = ContentOrderTextExtractor.GetText(pdf.GetPage(number)).Trim();
            if (text.Length == 0)
            {
                continue;
            }

            yield return new Document($"{_file.SourceName}#page-{number}", text, metadata.With(DocumentMetadataKeys.Page, number), _file.SourceName);
        }
    }

    private PdfDocument Open(byte[] bytes)
    {
        try
        {
            return PdfDocument.Open(bytes, new ParsingOptions { Password = _options.Password ?? string.Empty });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{_file.SourceName}: not a readable PDF. {e.Message}", e);
        }
    }
}
