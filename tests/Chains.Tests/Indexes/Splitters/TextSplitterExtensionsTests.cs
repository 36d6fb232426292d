using Chains.Indexes;
using Chains.Indexes.Loaders;
using Chains.Indexes.Splitters;
using Chains.Tests.Indexes.Loaders;

namespace Chains.Tests.Indexes.Splitters;

public sealed class TextSplitterExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void SplitText_String_ReturnsChunkTexts()
    {
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 4, ChunkOverlap = 0 });

        Assert.Equal(["你好。", "再见！"], splitter.SplitText("你好。再见！"));
    }

    [Fact]
    public async Task SplitAsync_LoaderStream_ChunksQuoteTheFile()
    {
        using var folder = new TempFolder();
        var path = folder.Write("poem.md", "# 静夜思\n\n床前明月光，疑是地上霜。举头望明月，低头思故乡。\n", TempFolder.Gbk);
        var text = TextEncoding.Decode(await File.ReadAllBytesAsync(path, Ct));
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 14, ChunkOverlap = 4 });

        var chunks = await splitter.SplitAsync(new MarkdownLoader(path, new MarkdownLoaderOptions { SourceName = "poem.md" }).LoadAsync(Ct), Ct).ToListAsync(Ct);

        Assert.Equal(["床前明月光，疑是地上霜。", "举头望明月，低头思故乡。"], chunks.Select(c => c.Content));
        Assert.Equal(["poem.md#section-0#chunk-0", "poem.md#section-0#chunk-1"], chunks.Select(c => c.Id));
        Assert.All(chunks, c => Assert.Equal("静夜思", c.Metadata.GetString("h1")));
        SpanAssert.QuotesSource(text, chunks);
    }

    [Fact]
    public void SplitText_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => ((ITextSplitter)null!).SplitText("x"));
        Assert.Throws<ArgumentNullException>(() => new RecursiveCharacterTextSplitter().SplitText(null!));
    }
}
