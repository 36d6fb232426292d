using Chains.Indexes.Loaders;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Chains.Documents.Tests;

public sealed class DocxLoaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    private string WriteManual(string? title = "Operations Manual")
    {
        var path = _folder.File("manual.docx");
        TestFiles.WriteDocx(path, title,
        [
            TestFiles.Para("Title", "The Manual"),
            TestFiles.Para(null, "Read this first."),
            TestFiles.Para("Heading1", "Installation"),
            TestFiles.Para(null, new Text("Step"), new TabChar(), new Text("one"), new Break(), new Text("next line")),
            TestFiles.Table(["Name", "Value"], ["port", "8080"]),
            TestFiles.Para("Heading2", "Linux"),
            TestFiles.Para(null, "Use the package. 使用软件包。"),
            TestFiles.Para("Heading2", "Empty section"),
            TestFiles.Para("MyChapter", "Usage"),
            TestFiles.Para(null, "Run it."),
        ]);
        return path;
    }

    [Fact]
    public async Task LoadAsync_Sections_HeadingPathInMetadataParagraphsInOrder()
    {
        var path = WriteManual();

        var documents = await new DocxLoader(path, new DocxLoaderOptions { SourceName = "manual.docx" }).LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["manual.docx#section-0", "manual.docx#section-1", "manual.docx#section-2", "manual.docx#section-3"], documents.Select(d => d.Id));
        Assert.Equal("The Manual\n\nRead this first.", documents[0].Content);
        Assert.False(documents[0].Metadata.ContainsKey("h1"));
        Assert.Equal("Step\tone\nnext line\n\nName\tValue\nport\t8080", documents[1].Content);
        Assert.Equal("Installation", documents[1].Metadata.GetString("h1"));
        Assert.Equal("Use the package. 使用软件包。", documents[2].Content);
        Assert.Equal(("Installation", "Linux"), (documents[2].Metadata.GetString("h1"), documents[2].Metadata.GetString("h2")));
        Assert.Equal("Run it.", documents[3].Content);
        Assert.Equal("Usage", documents[3].Metadata.GetString("h1"));
        Assert.False(documents[3].Metadata.ContainsKey("h2"));
        Assert.All(documents, d => Assert.Equal("Operations Manual", d.Metadata.GetString(DocumentMetadataKeys.Title)));
        Assert.All(documents, d => Assert.Null(d.Span));
    }

    [Fact]
    public async Task LoadAsync_WholeFileWithoutCoreTitle_TitleFromTitleParagraph()
    {
        var path = WriteManual(title: null);

        var document = Assert.Single(await new DocxLoader(path, new DocxLoaderOptions { SplitByHeadings = false }).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal(path, document.Id);
        Assert.Equal("The Manual", document.Metadata.GetString(DocumentMetadataKeys.Title));
        Assert.StartsWith("The Manual\n\nRead this first.\n\nInstallation\n\nStep", document.Content, StringComparison.Ordinal);
        Assert.EndsWith("Usage\n\nRun it.", document.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_KeepHeadings_SectionStartsWithHeading()
    {
        var path = WriteManual();

        var documents = await new DocxLoader(path, new DocxLoaderOptions { StripHeadings = false, HeadingLevels = [1] }).LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(3, documents.Count);
        Assert.StartsWith("Installation\n\nStep", documents[1].Content, StringComparison.Ordinal);
        Assert.Contains("Linux\n\nUse the package.", documents[1].Content, StringComparison.Ordinal);
        Assert.Equal("Usage\n\nRun it.", documents[2].Content);
    }

    [Fact]
    public async Task LoadAsync_OutlineLevelParagraph_IsHeading()
    {
        var path = _folder.File("outline.docx");
        var heading = TestFiles.Para(null, "Outlined");
        heading.PrependChild(new ParagraphProperties(new OutlineLevel { Val = 0 }));
        TestFiles.WriteDocx(path, null, [heading, TestFiles.Para(null, "Body.")]);

        var document = Assert.Single(await new DocxLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal("Body.", document.Content);
        Assert.Equal("Outlined", document.Metadata.GetString("h1"));
    }

    [Fact]
    public async Task LoadAsync_NotADocx_ThrowsInvalidData()
    {
        var path = _folder.File("fake.docx");
        await File.WriteAllTextAsync(path, "plain text", Ct);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await new DocxLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Contains("fake.docx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BadHeadingLevels_Throw()
    {
        Assert.Throws<ArgumentException>(() => new DocxLoader("a.docx", new DocxLoaderOptions { HeadingLevels = [] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DocxLoader("a.docx", new DocxLoaderOptions { HeadingLevels = [9] }));
    }
}
