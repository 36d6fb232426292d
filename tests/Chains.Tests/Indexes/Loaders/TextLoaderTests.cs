using System.Text;
using Chains.Indexes;
using Chains.Indexes.Loaders;

namespace Chains.Tests.Indexes.Loaders;

public sealed class TextLoaderTests : IDisposable
{
    private const string Chinese = "静夜思\n床前明月光，疑是地上霜。举头望明月，低头思故乡。";
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task LoadAsync_Utf8File_OneDocumentWithFileMetadataAndFullSpan()
    {
        var path = _folder.Write("notes/Readme.TXT", "hello\nworld");

        var documents = await new TextLoader(path).LoadAsync(Ct).ToListAsync(Ct);

        var document = Assert.Single(documents);
        Assert.Equal(path, document.Id);
        Assert.Equal(path, document.Source);
        Assert.Equal("hello\nworld", document.Content);
        Assert.Equal(new SourceSpan(0, 11), document.Span);
        Assert.Equal(path, document.Metadata.GetString(DocumentMetadataKeys.Source));
        Assert.Equal("Readme.TXT", document.Metadata.GetString(DocumentMetadataKeys.FileName));
        Assert.Equal(".txt", document.Metadata.GetString(DocumentMetadataKeys.Extension));
        Assert.Equal("utf-8", document.Metadata.GetString(DocumentMetadataKeys.Encoding));
    }

    [Fact]
    public async Task LoadAsync_GbkChineseFile_DetectsGb18030()
    {
        var path = _folder.Write("poem.txt", Chinese, TempFolder.Gbk);

        var document = Assert.Single(await new TextLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal(Chinese, document.Content);
        Assert.Equal("GB18030", document.Metadata.GetString(DocumentMetadataKeys.Encoding), ignoreCase: true);
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    [InlineData("utf-8")]
    public async Task LoadAsync_FileWithByteOrderMark_DecodesWithoutMark(string encodingName)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        var path = _folder.WriteBytes("poem.txt", [.. encoding.GetPreamble(), .. encoding.GetBytes(Chinese)]);

        var document = Assert.Single(await new TextLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal(Chinese, document.Content);
        Assert.Equal(Chinese.Length, document.Span!.Value.Length);
    }

    [Fact]
    public async Task LoadAsync_ForcedEncoding_UsesIt()
    {
        var path = _folder.WriteBytes("latin.txt", Encoding.Latin1.GetBytes("crème brûlée"));

        var document = Assert.Single(await new TextLoader(path, new TextLoaderOptions { Encoding = Encoding.Latin1 }).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal("crème brûlée", document.Content);
        Assert.Equal("iso-8859-1", document.Metadata.GetString(DocumentMetadataKeys.Encoding));
    }

    [Fact]
    public async Task LoadAsync_SourceName_UsedForIdAndSource()
    {
        var path = _folder.Write("a.txt", "x");

        var document = Assert.Single(await new TextLoader(path, new TextLoaderOptions { SourceName = "docs/a.txt" }).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal("docs/a.txt", document.Id);
        Assert.Equal("docs/a.txt", document.Source);
        Assert.Equal("docs/a.txt", document.Metadata.GetString(DocumentMetadataKeys.Source));
        Assert.Equal("a.txt", document.Metadata.GetString(DocumentMetadataKeys.FileName));
    }

    [Fact]
    public async Task LoadAsync_MissingFile_ThrowsFileNotFound()
    {
        var loader = new TextLoader(Path.Combine(_folder.Path, "missing.txt"));

        await Assert.ThrowsAsync<FileNotFoundException>(async () => await loader.LoadAsync(Ct).ToListAsync(Ct));
    }

    [Fact]
    public void Constructor_BlankPathOrSourceName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new TextLoader(" "));
        Assert.Throws<ArgumentException>(() => new TextLoader("a.txt", new TextLoaderOptions { SourceName = "" }));
    }
}
