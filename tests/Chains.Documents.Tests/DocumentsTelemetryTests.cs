using System.Diagnostics;
using System.Text;
using Chains.Testing.Diagnostics;

namespace Chains.Documents.Tests;

/// <summary>The tests that count measurements of the shared meter run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DocumentsTelemetryCollection
{
    public const string Name = "documents-telemetry";
}

/// <summary><see cref="DocumentsTelemetry"/> on generated PDF, DOCX and HTML files: spans are matched to the test by
/// their trace, measurements are counted while no other test runs.</summary>
[Collection(DocumentsTelemetryCollection.Name)]
public sealed class DocumentsTelemetryTests : IDisposable
{
    // Never to be recorded: content, titles, file and folder names (Chinese and ASCII markers).
    private const string ContentMarker = "CONTENT-7c2a 机密段落内容";
    private const string TitleMarker = "TITLE-1f0b 内部标题";
    private const string FolderMarker = "机密目录";

    private static readonly string[] SecretFragments = ["CONTENT-7c2a", "机密", "段落", "TITLE-1f0b", "内部标题", "Revenue", "report"];

    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task LoadAsync_PdfWithAnEmptyPage_SpanCountsPagesDocumentsAndCharacters()
    {
        var path = _folder.File(Path.Combine(FolderMarker, "report.pdf"));
        TestFiles.WritePdf(path, "Revenue report", ["Revenue grew by ten percent."], [], ["Outlook: steady growth."]);
        using var telemetry = Capture();

        var documents = await telemetry.RunInOwnTraceAsync(() => new PdfLoader(path).LoadAsync(Ct).ToListAsync(Ct).AsTask());

        var span = Assert.Single(telemetry.Spans);
        Assert.Equal("load pdf", span.OperationName);
        Assert.Equal(ActivityKind.Internal, span.Kind);
        Assert.NotEqual(ActivityStatusCode.Error, span.Status);
        Assert.Equal("pdf", span.GetTagItem("chains.document.format"));
        Assert.Equal("pdf", span.GetTagItem("file.extension"));
        Assert.Equal(new FileInfo(path).Length, span.GetTagItem("file.size"));
        Assert.Equal(3, span.GetTagItem("chains.document.pages"));
        Assert.Equal(2L, span.GetTagItem("chains.document.count"));
        Assert.Equal((long)documents.Sum(d => d.Content.Length), span.GetTagItem("chains.document.characters"));
        var duration = Assert.Single(telemetry.Measurements(DocumentsTelemetry.LoadDurationInstrument));
        Assert.True(duration.Value > 0);
        Assert.Equal("pdf", duration.Tags["chains.document.format"]);
        Assert.Equal(2, Assert.Single(telemetry.Measurements(DocumentsTelemetry.DocumentsInstrument)).Value);
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    [Fact]
    public async Task LoadAsync_ChineseDocxAndHtml_SpansCarryCountsButNoTextTitleOrName()
    {
        var docx = _folder.File(Path.Combine(FolderMarker, "机密报告.docx"));
        TestFiles.WriteDocx(docx, TitleMarker, [TestFiles.Para("Heading1", TitleMarker), TestFiles.Para(null, ContentMarker)]);
        var html = _folder.File(Path.Combine(FolderMarker, "机密页面.html"));
        await File.WriteAllTextAsync(html, $"<html><head><title>{TitleMarker}</title></head><body><main><p>{ContentMarker}</p></main></body></html>", Encoding.UTF8, Ct);
        using var telemetry = Capture();

        var fromDocx = await telemetry.RunInOwnTraceAsync(() => new DocxLoader(docx).LoadAsync(Ct).ToListAsync(Ct).AsTask());
        var fromHtml = await telemetry.RunInOwnTraceAsync(() => new HtmlLoader(html).LoadAsync(Ct).ToListAsync(Ct).AsTask());

        Assert.Contains(ContentMarker, fromDocx.Single().Content, StringComparison.Ordinal);
        Assert.Contains(ContentMarker, fromHtml.Single().Content, StringComparison.Ordinal);
        var docxSpan = Assert.Single(telemetry.Spans, s => s.OperationName == "load docx");
        Assert.Equal("docx", docxSpan.GetTagItem("file.extension"));
        Assert.Equal(1L, docxSpan.GetTagItem("chains.document.count"));
        Assert.Equal((long)fromDocx.Single().Content.Length, docxSpan.GetTagItem("chains.document.characters"));
        Assert.Null(docxSpan.GetTagItem("chains.document.pages"));
        var htmlSpan = Assert.Single(telemetry.Spans, s => s.OperationName == "load html");
        Assert.Equal((long)fromHtml.Single().Content.Length, htmlSpan.GetTagItem("chains.document.characters"));
        Assert.Equal(["docx", "html"], telemetry.Measurements(DocumentsTelemetry.LoadDurationInstrument).Select(m => (string)m.Tags["chains.document.format"]!).Order(StringComparer.Ordinal));
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    [Fact]
    public async Task LoadAsync_SelectorMatchesNothing_SpanAndDurationCarryTheErrorType()
    {
        var html = _folder.File("page.html");
        await File.WriteAllTextAsync(html, $"<html><body><p>{ContentMarker}</p></body></html>", Encoding.UTF8, Ct);
        using var telemetry = Capture();

        await Assert.ThrowsAsync<InvalidDataException>(() => telemetry.RunInOwnTraceAsync(() => new HtmlLoader(html, new HtmlLoaderOptions { ContentSelector = "article.missing" }).LoadAsync(Ct).ToListAsync(Ct).AsTask()));

        var span = Assert.Single(telemetry.Spans);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(InvalidDataException).FullName, span.GetTagItem("error.type"));
        Assert.Equal(0L, span.GetTagItem("chains.document.count"));
        Assert.Equal(typeof(InvalidDataException).FullName, Assert.Single(telemetry.Measurements(DocumentsTelemetry.LoadDurationInstrument)).Tags["error.type"]);
        Assert.Empty(telemetry.Measurements(DocumentsTelemetry.DocumentsInstrument));
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    [Fact]
    public async Task LoadAsync_CallerStopsAfterTheFirstPage_SpanEndsWithWhatWasRead()
    {
        var path = _folder.File("pages.pdf");
        TestFiles.WritePdf(path, null, ["Page one."], ["Page two."], ["Page three."]);
        using var telemetry = Capture();

        var first = await telemetry.RunInOwnTraceAsync(async () =>
        {
            await foreach (var document in new PdfLoader(path).LoadAsync(Ct))
            {
                return document;
            }

            throw new InvalidOperationException("The PDF produced no document.");
        });

        Assert.Equal("Page one.", first.Content);
        var span = Assert.Single(telemetry.Spans);
        Assert.NotEqual(ActivityStatusCode.Error, span.Status);
        Assert.Equal(1L, span.GetTagItem("chains.document.count"));
        Assert.Equal(3, span.GetTagItem("chains.document.pages"));
        Assert.Single(telemetry.Measurements(DocumentsTelemetry.LoadDurationInstrument));
    }

    /// <summary>Keeps the package's spans under this test's own parent span, and every measurement.</summary>
    private static TelemetryCapture Capture() => TelemetryCapture.ForOwnTraces(DocumentsTelemetry.SourceName, DocumentsTelemetry.MeterName);
}
