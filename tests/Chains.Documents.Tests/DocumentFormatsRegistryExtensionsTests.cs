using Chains.Indexes.Loaders;

namespace Chains.Documents.Tests;

public sealed class DocumentFormatsRegistryExtensionsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AddDocumentFormats_RegistersPdfDocxHtml()
    {
        var registry = DocumentLoaderRegistry.CreateDefault().AddDocumentFormats();

        Assert.True(registry.TryGetFactory(".pdf", out var pdf));
        Assert.IsType<PdfLoader>(pdf(new FileLoaderArguments("/a.pdf", "a.pdf")));
        Assert.True(registry.TryGetFactory(".DOCX", out var docx));
        Assert.IsType<DocxLoader>(docx(new FileLoaderArguments("/a.docx", "a.docx")));
        foreach (var extension in (string[])[".html", ".htm", ".xhtml"])
        {
            Assert.True(registry.TryGetFactory(extension, out var html));
            Assert.IsType<HtmlLoader>(html(new FileLoaderArguments("/a" + extension, "a" + extension)));
        }

        Assert.True(registry.TryGetFactory(".md", out _));
    }

    [Fact]
    public async Task DirectoryLoader_MixedFolder_LoadsEveryFormatAndReportsTheBrokenPdf()
    {
        TestFiles.WritePdf(_folder.File("docs/a.pdf"), null, ["Alpha page."]);
        TestFiles.WriteDocx(_folder.File("docs/b.docx"), null, [TestFiles.Para(null, "Bravo paragraph.")]);
        await File.WriteAllTextAsync(_folder.File("docs/c.html"), "<main><p>Charlie.</p></main>", Ct);
        await File.WriteAllTextAsync(_folder.File("docs/d.txt"), "Delta.", Ct);
        await File.WriteAllTextAsync(_folder.File("docs/broken.pdf"), "not a pdf", Ct);
        var failures = new List<FileLoadFailure>();
        var loader = new DirectoryLoader(_folder.Path, new DirectoryLoaderOptions
        {
            Loaders = DocumentLoaderRegistry.CreateDefault().AddDocumentFormats(),
            OnError = failures.Add,
        });

        var documents = await loader.LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["docs/a.pdf#page-1", "docs/b.docx#section-0", "docs/c.html", "docs/d.txt"], documents.Select(d => d.Id));
        Assert.Equal(["Alpha page.", "Bravo paragraph.", "Charlie.", "Delta."], documents.Select(d => d.Content));
        var failure = Assert.Single(failures);
        Assert.Equal("docs/broken.pdf", failure.SourceName);
        Assert.IsType<InvalidDataException>(failure.Exception);
    }

    [Fact]
    public void AddDocumentFormats_NullRegistry_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => DocumentFormatsRegistryExtensions.AddDocumentFormats(null!));
    }
}
