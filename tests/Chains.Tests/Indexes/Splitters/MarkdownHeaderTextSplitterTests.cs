using Chains.Indexes;
using Chains.Indexes.Loaders;
using Chains.Indexes.Splitters;

namespace Chains.Tests.Indexes.Splitters;

public sealed class MarkdownHeaderTextSplitterTests
{
    private const string Markdown = """
        Preamble text.

        # 第一章 ##

        开篇。

        ## Setup

        Install it.

        ```python
        # a comment, not a heading
        ## neither
        ```

        ~~~
        # still code
        ~~~

            # indented code, not a heading

        #hashtag is not a heading

        ### Deep

        Deep text.

        Other Title
        ===========

        Setext body.

        Sub title
        ---------

        Sub body.
        """;

    [Fact]
    public void Split_Headings_PathInMetadataAndCodeBlocksIgnored()
    {
        var chunks = new MarkdownHeaderTextSplitter().Split(new Document("md", Markdown));

        Assert.Equal(6, chunks.Count);
        Assert.Equal("Preamble text.", chunks[0].Content);
        Assert.False(chunks[0].Metadata.ContainsKey("h1"));
        Assert.Equal("开篇。", chunks[1].Content);
        Assert.Equal("第一章", chunks[1].Metadata.GetString("h1"));
        Assert.StartsWith("Install it.", chunks[2].Content, StringComparison.Ordinal);
        Assert.EndsWith("#hashtag is not a heading", chunks[2].Content, StringComparison.Ordinal);
        Assert.Contains("## neither", chunks[2].Content, StringComparison.Ordinal);
        Assert.Contains("# still code", chunks[2].Content, StringComparison.Ordinal);
        Assert.Equal(("第一章", "Setup"), (chunks[2].Metadata.GetString("h1"), chunks[2].Metadata.GetString("h2")));
        Assert.Equal(("第一章", "Setup", "Deep"), (chunks[3].Metadata.GetString("h1"), chunks[3].Metadata.GetString("h2"), chunks[3].Metadata.GetString("h3")));
        Assert.Equal("Setext body.", chunks[4].Content);
        Assert.Equal("Other Title", chunks[4].Metadata.GetString("h1"));
        Assert.False(chunks[4].Metadata.ContainsKey("h2"));
        Assert.False(chunks[4].Metadata.ContainsKey("h3"));
        Assert.Equal(("Other Title", "Sub title"), (chunks[5].Metadata.GetString("h1"), chunks[5].Metadata.GetString("h2")));
        Assert.Equal("Sub body.", chunks[5].Content);
        SpanAssert.QuotesSource(Markdown, chunks);
    }

    [Fact]
    public void Split_ConfiguredLevels_OtherHeadingsStayInContent()
    {
        var splitter = new MarkdownHeaderTextSplitter(new MarkdownHeaderTextSplitterOptions { HeadingLevels = [1] });

        var chunks = splitter.Split(new Document("md", Markdown));

        Assert.Equal(["Preamble text.", "Setext body.\n\nSub title\n---------\n\nSub body."], new[] { chunks[0].Content, chunks[2].Content });
        Assert.StartsWith("开篇。\n\n## Setup", chunks[1].Content, StringComparison.Ordinal);
        Assert.Contains("### Deep", chunks[1].Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_KeepHeadings_ContentStartsAtHeadingLine()
    {
        const string text = "# A\n\nalpha\n\n## B\n\nbeta\n\n## Empty\n\n## C\nC text";
        var splitter = new MarkdownHeaderTextSplitter(new MarkdownHeaderTextSplitterOptions { StripHeadings = false });

        var chunks = splitter.Split(new Document("md", text));

        Assert.Equal(["# A\n\nalpha", "## B\n\nbeta", "## C\nC text"], chunks.Select(c => c.Content));
        Assert.Equal("C", chunks[2].Metadata.GetString("h2"));
        SpanAssert.QuotesSource(text, chunks);
    }

    [Fact]
    public void Split_ParentWithSpan_SpansPointIntoSource()
    {
        const string body = "# T\r\n\r\n文本一。\r\n## U\r\n文本二。";
        var source = "---\ntitle: x\n---\n" + body;
        var parent = new Document("f.md", body, DocumentMetadata.Empty.With("title", "x"), "f.md", new SourceSpan(source.Length - body.Length, body.Length));

        var chunks = new MarkdownHeaderTextSplitter().Split(parent);

        Assert.Equal(["文本一。", "文本二。"], chunks.Select(c => c.Content));
        Assert.Equal(["f.md#chunk-0", "f.md#chunk-1"], chunks.Select(c => c.Id));
        Assert.All(chunks, c => Assert.Equal("x", c.Metadata.GetString("title")));
        Assert.Equal(1L, chunks[1].Metadata.GetInt64(DocumentMetadataKeys.ChunkIndex));
        SpanAssert.QuotesSource(source, chunks);
    }

    [Fact]
    public void Split_ThenRecursiveSplitter_KeepsHeadingsAndSpans()
    {
        var sections = new MarkdownHeaderTextSplitter().Split(new Document("md", Markdown));
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 20, ChunkOverlap = 5 });

        var chunks = sections.SelectMany(splitter.Split).ToList();

        SpanAssert.QuotesSource(Markdown, chunks);
        Assert.Contains(chunks, c => c.Id == "md#chunk-2#chunk-1" && c.Metadata.GetString("h2") == "Setup");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Constructor_LevelOutOfRange_Throws(int level)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MarkdownHeaderTextSplitter(new MarkdownHeaderTextSplitterOptions { HeadingLevels = [1, level] }));

        Assert.Equal(level, error.ActualValue);
    }

    [Fact]
    public void Constructor_NoLevels_Throws()
    {
        Assert.Throws<ArgumentException>(() => new MarkdownHeaderTextSplitter(new MarkdownHeaderTextSplitterOptions { HeadingLevels = [] }));
    }
}
