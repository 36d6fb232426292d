using Chains.Indexes.Loaders;

namespace Chains.Documents.Tests;

public sealed class PdfLoaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task LoadAsync_ThreePages_OneDocumentPerPageWithTextWithPageNumbers()
    {
        var path = _folder.File("report.pdf");
        TestFiles.WritePdf(path, "Quarterly Report",
            ["Revenue grew by ten percent.", "Costs were flat."],
            [],
            ["Outlook: steady growth."]);

        var documents = await new PdfLoader(path, new PdfLoaderOptions { SourceName = "report.pdf" }).LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["report.pdf#page-1", "report.pdf#page-3"], documents.Select(d => d.Id));
        Assert.Contains("Revenue grew by ten percent.", documents[0].Content, StringComparison.Ordinal);
        Assert.Contains("Costs were flat.", documents[0].Content, StringComparison.Ordinal);
        Assert.True(documents[0].Content.IndexOf("Revenue", StringComparison.Ordinal) < documents[0].Content.IndexOf("Costs", StringComparison.Ordinal));
        Assert.Equal("Outlook: steady growth.", documents[1].Content);
        Assert.Equal([1L, 3L], documents.Select(d => d.Metadata.GetInt64(DocumentMetadataKeys.Page)!.Value));
        Assert.All(documents, d => Assert.Equal(3L, d.Metadata.GetInt64(DocumentMetadataKeys.PageCount)));
        Assert.All(documents, d => Assert.Equal("Quarterly Report", d.Metadata.GetString(DocumentMetadataKeys.Title)));
        Assert.All(documents, d => Assert.Equal(".pdf", d.Metadata.GetString(DocumentMetadataKeys.Extension)));
        Assert.All(documents, d => Assert.Equal("report.pdf", d.Source));
        Assert.All(documents, d => Assert.Null(d.Span));
    }

    [Fact]
    public async Task LoadAsync_NotAPdf_ThrowsInvalidData()
    {
        var path = _folder.File("fake.pdf");
        await File.WriteAllTextAsync(path, "this is not a pdf", Ct);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await new PdfLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Contains("fake.pdf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_Cancelled_Throws()
    {
        var path = _folder.File("a.pdf");
        TestFiles.WritePdf(path, null, ["one"], ["two"]);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await new PdfLoader(path).LoadAsync(cts.Token).ToListAsync(Ct));
    }

    [Fact]
    public void Constructor_BlankPath_Throws()
    {
        Assert.Throws<ArgumentException>(() => new PdfLoader(""));
    }
}
