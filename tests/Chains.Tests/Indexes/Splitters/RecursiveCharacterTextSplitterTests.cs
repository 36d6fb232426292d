using Chains.Indexes;
using Chains.Indexes.Loaders;
using Chains.Indexes.Splitters;

namespace Chains.Tests.Indexes.Splitters;

public sealed class RecursiveCharacterTextSplitterTests
{
    private const string ChinesePoems =
        "床前明月光，疑是地上霜。举头望明月，低头思故乡。" +
        "白日依山尽，黄河入海流。欲穷千里目，更上一层楼！" +
        "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少？" +
        "红豆生南国，春来发几枝；愿君多采撷，此物最相思。";

    [Theory]
    [InlineData(0, 0, "ChunkSize")]
    [InlineData(-5, 0, "ChunkSize")]
    [InlineData(10, -1, "ChunkOverlap")]
    [InlineData(10, 10, "ChunkOverlap")]
    [InlineData(10, 11, "ChunkOverlap")]
    public void Constructor_InvalidSizes_ThrowNamingTheValue(int size, int overlap, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = size, ChunkOverlap = overlap }));

        Assert.Equal(name, error.ParamName);
        Assert.Equal(name == "ChunkSize" ? size : overlap, error.ActualValue);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NoSeparators_Throws()
    {
        Assert.Throws<ArgumentException>(() => new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { Separators = [] }));
    }

    [Fact]
    public void Split_ChineseWithoutSpaces_ChunksEndAtSentenceEndsWithExactSpansAndOverlap()
    {
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 30, ChunkOverlap = 12 });
        var document = new Document("poems", ChinesePoems);

        var chunks = splitter.Split(document);

        Assert.True(chunks.Count >= 4);
        SpanAssert.QuotesSource(ChinesePoems, chunks);
        Assert.All(chunks, c => Assert.InRange(c.Content.Length, 1, 30));
        Assert.All(chunks, c => Assert.Contains(c.Content[^1], "。！？；"));
        Assert.All(chunks, c => Assert.DoesNotContain(c.Content[0], "。！？；，"));
        var overlapping = 0;
        for (var i = 1; i < chunks.Count; i++)
        {
            var (previous, current) = (chunks[i - 1].Span!.Value, chunks[i].Span!.Value);
            Assert.True(current.Start <= previous.End, $"text lost between chunk {i - 1} and chunk {i}");
            Assert.True(current.End > previous.End, $"chunk {i} adds nothing");
            overlapping += current.Start < previous.End ? 1 : 0;
        }

        Assert.True(overlapping >= 1, "chunks carry no overlap");

        Assert.Equal(0, chunks[0].Span!.Value.Start);
        Assert.Equal(ChinesePoems.Length, chunks[^1].Span!.Value.End);
    }

    [Fact]
    public void Split_LongSentenceWithoutSeparators_FallsBackToCharacters()
    {
        var text = new string('字', 25);
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 10, ChunkOverlap = 3 });

        var chunks = splitter.Split(new Document("d", text));

        Assert.Equal([(0, 10), (7, 10), (14, 10), (21, 4)], chunks.Select(c => (c.Span!.Value.Start, c.Span!.Value.Length)));
    }

    [Fact]
    public void Split_Emoji_NeverSplitsSurrogatePairs()
    {
        var text = string.Concat(Enumerable.Repeat("😀👍🏽a", 20));
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 7, ChunkOverlap = 2 });

        var chunks = splitter.Split(new Document("d", text));

        Assert.True(chunks.Count > 10);
        SpanAssert.QuotesSource(text, chunks);
        Assert.All(chunks, c => Assert.InRange(c.Content.Length, 1, 7));
    }

    [Fact]
    public void Split_EnglishParagraphs_PrefersParagraphThenSentenceBreaks()
    {
        const string text = "The first paragraph is short.\n\nThe second paragraph is longer. It has two sentences.\n\nThird.";
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 40, ChunkOverlap = 0 });

        var chunks = splitter.Split(new Document("d", text));

        Assert.Equal(["The first paragraph is short.", "The second paragraph is longer.", "It has two sentences.", "Third."], chunks.Select(c => c.Content));
        SpanAssert.QuotesSource(text, chunks);
    }

    [Fact]
    public void Split_ParentWithSpan_ChunkSpansPointIntoOriginalSource()
    {
        var source = "HEADER\n" + ChinesePoems;
        var parent = new Document("doc#section-1", ChinesePoems, new DocumentMetadata([new("h1", "诗")]), "poems.md", new SourceSpan(7, ChinesePoems.Length));
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 25, ChunkOverlap = 5 });

        var chunks = splitter.Split(parent);

        SpanAssert.QuotesSource(source, chunks);
        Assert.Equal(Enumerable.Range(0, chunks.Count).Select(i => $"doc#section-1#chunk-{i}"), chunks.Select(c => c.Id));
        Assert.Equal(Enumerable.Range(0, chunks.Count).Select(i => (long)i), chunks.Select(c => c.Metadata.GetInt64(DocumentMetadataKeys.ChunkIndex)!.Value));
        Assert.All(chunks, c => Assert.Equal("诗", c.Metadata.GetString("h1")));
        Assert.All(chunks, c => Assert.Equal("poems.md", c.Source));
    }

    [Fact]
    public void Split_LengthFunction_MeasuresChunksWithIt()
    {
        const string text = "one two three four five six seven eight nine ten";
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions
        {
            ChunkSize = 3,
            ChunkOverlap = 1,
            LengthFunction = t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length,
        });

        var chunks = splitter.Split(new Document("d", text));

        Assert.Equal(["one two three", "three four five", "five six seven", "seven eight nine", "nine ten"], chunks.Select(c => c.Content));
        SpanAssert.QuotesSource(text, chunks);
    }

    [Fact]
    public void Split_NoTrimNoOverlap_ChunksTileTheText()
    {
        var text = "Line one.\nLine two is here.\n\n  Indented line three.\n" + ChinesePoems;
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 16, ChunkOverlap = 0, TrimWhitespace = false });

        var chunks = splitter.Split(new Document("d", text));

        Assert.Equal(text, string.Concat(chunks.Select(c => c.Content)));
        Assert.All(chunks, c => Assert.InRange(c.Content.Length, 1, 16));
    }

    [Fact]
    public void Split_SeparatorsExhausted_KeepsOversizedPiece()
    {
        const string text = "short\nthis line is far too long for the limit\nend";
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 10, ChunkOverlap = 0, Separators = ["\n"] });

        var chunks = splitter.Split(new Document("d", text));

        Assert.Equal(["short", "this line is far too long for the limit", "end"], chunks.Select(c => c.Content));
    }

    [Fact]
    public void Split_EmptyOrWhitespaceContent_NoChunks()
    {
        var splitter = new RecursiveCharacterTextSplitter();

        Assert.Empty(splitter.Split(new Document("d", "")));
        Assert.Empty(splitter.Split(new Document("d", " \n\n ")));
    }

    [Fact]
    public void Split_ShortDocument_OneChunkWithParentMetadata()
    {
        var parent = new Document("d", "  short text  ", new DocumentMetadata([new("lang", "en")]));

        var chunk = Assert.Single(new RecursiveCharacterTextSplitter().Split(parent));

        Assert.Equal("short text", chunk.Content);
        Assert.Equal(new SourceSpan(2, 10), chunk.Span);
        Assert.Equal("en", chunk.Metadata.GetString("lang"));
        Assert.Equal("d#chunk-0", chunk.Id);
    }
}
