using Chains.Indexes;
using Chains.Indexes.Loaders;

namespace Chains.Tests.Indexes.Loaders;

public sealed class MarkdownLoaderTests : IDisposable
{
    private const string Guide = """
        ---
        title: 用户指南
        tags: [rag, 中文]
        draft: false
        order: 3
        author:
          name: Li
        ---
        Intro before any heading.

        # Guide

        Welcome.

        ## Install

        Run the installer。然后重启。

        ```bash
        # not a heading
        echo hi
        ```

        ## Use

        ### Details

        Deep text.

        """;

    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task LoadAsync_Sections_HeadingPathInMetadataAndExactSpans()
    {
        var path = _folder.Write("guide.md", Guide);
        var text = File.ReadAllText(path);

        var documents = await new MarkdownLoader(path, new MarkdownLoaderOptions { SourceName = "guide.md" }).LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["guide.md#section-0", "guide.md#section-1", "guide.md#section-2", "guide.md#section-3"], documents.Select(d => d.Id));
        Assert.Equal("Intro before any heading.", documents[0].Content);
        Assert.Null(documents[0].Metadata.GetString("h1"));
        Assert.Equal("Welcome.", documents[1].Content);
        Assert.Equal("Guide", documents[1].Metadata.GetString("h1"));
        Assert.StartsWith("Run the installer。然后重启。", documents[2].Content, StringComparison.Ordinal);
        Assert.Contains("# not a heading", documents[2].Content, StringComparison.Ordinal);
        Assert.Equal(("Guide", "Install"), (documents[2].Metadata.GetString("h1"), documents[2].Metadata.GetString("h2")));
        Assert.Equal(("Guide", "Use", "Details"), (documents[3].Metadata.GetString("h1"), documents[3].Metadata.GetString("h2"), documents[3].Metadata.GetString("h3")));
        Assert.Equal("Deep text.", documents[3].Content);
        foreach (var document in documents)
        {
            var span = document.Span!.Value;
            Assert.Equal(document.Content, text.Substring(span.Start, span.Length));
        }
    }

    [Fact]
    public async Task LoadAsync_FrontMatter_IntoMetadataAndOutOfContent()
    {
        var path = _folder.Write("guide.md", Guide);

        var documents = await new MarkdownLoader(path).LoadAsync(Ct).ToListAsync(Ct);

        var metadata = documents[0].Metadata;
        Assert.Equal("用户指南", metadata.GetString(DocumentMetadataKeys.Title));
        Assert.Equal(["rag", "中文"], Assert.IsType<string[]>(metadata["tags"]));
        Assert.Equal(false, metadata["draft"]);
        Assert.Equal(3L, metadata.GetInt64("order"));
        Assert.Equal("Li", metadata.GetString("author.name"));
        Assert.Equal("utf-8", metadata.GetString(DocumentMetadataKeys.Encoding));
        Assert.DoesNotContain(documents, d => d.Content.Contains("draft", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoadAsync_WholeFile_OneDocumentTitledByFirstHeading()
    {
        var path = _folder.Write("readme.md", "\n# Project X\n\nSome text.\n\n## More\n\nMore text.\n");

        var document = Assert.Single(await new MarkdownLoader(path, new MarkdownLoaderOptions { SplitByHeadings = false }).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal(path, document.Id);
        Assert.Equal("# Project X\n\nSome text.\n\n## More\n\nMore text.", document.Content);
        Assert.Equal(new SourceSpan(1, document.Content.Length), document.Span);
        Assert.Equal("Project X", document.Metadata.GetString(DocumentMetadataKeys.Title));
        Assert.False(document.Metadata.ContainsKey("h1"));
    }

    [Fact]
    public async Task LoadAsync_KeepHeadings_ContentStartsWithHeadingLine()
    {
        var path = _folder.Write("a.md", "# A\n\ntext a\n\n## B\n\ntext b\n");

        var documents = await new MarkdownLoader(path, new MarkdownLoaderOptions { StripHeadings = false, HeadingLevels = [1] }).LoadAsync(Ct).ToListAsync(Ct);

        var document = Assert.Single(documents);
        Assert.Equal("# A\n\ntext a\n\n## B\n\ntext b", document.Content);
        Assert.Equal("A", document.Metadata.GetString("h1"));
    }

    [Fact]
    public async Task LoadAsync_InvalidYamlFrontMatter_KeptAsText()
    {
        var path = _folder.Write("bad.md", "---\nkey: [unclosed\n---\nBody\n");

        var document = Assert.Single(await new MarkdownLoader(path, new MarkdownLoaderOptions { SplitByHeadings = false }).LoadAsync(Ct).ToListAsync(Ct));

        Assert.StartsWith("---\nkey: [unclosed", document.Content, StringComparison.Ordinal);
        Assert.False(document.Metadata.ContainsKey("key"));
    }

    [Fact]
    public async Task LoadAsync_GbkFile_DecodesHeadings()
    {
        var path = _folder.Write("zh.md", "# 第一章\n\n天地玄黄。\n", TempFolder.Gbk);

        var document = Assert.Single(await new MarkdownLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal("天地玄黄。", document.Content);
        Assert.Equal("第一章", document.Metadata.GetString("h1"));
        Assert.Equal("第一章", document.Metadata.GetString(DocumentMetadataKeys.Title));
    }

    [Fact]
    public void Constructor_BadHeadingLevel_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MarkdownLoader("a.md", new MarkdownLoaderOptions { HeadingLevels = [7] }));

        Assert.Equal(7, error.ActualValue);
    }
}
