using Chains.Indexes.Loaders;

namespace Chains.Tests.Indexes.Loaders;

public sealed class CsvLoaderTests : IDisposable
{
    private const string Products = "id,name,description,price\r\n" +
        "1,Widget,\"Small, blue\",9.5\r\n" +
        "\r\n" +
        "2,\"Gadget \"\"Pro\"\"\",\"Line one\nline two\",20\r\n" +
        "3,茶壶,紫砂,88\r\n";

    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task LoadAsync_AllColumns_OneDocumentPerRowWithNameValueLines()
    {
        var path = _folder.Write("products.csv", Products);

        var documents = await new CsvLoader(path, new CsvLoaderOptions { SourceName = "products.csv" }).LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["products.csv#row-0", "products.csv#row-1", "products.csv#row-2"], documents.Select(d => d.Id));
        Assert.Equal("id: 1\nname: Widget\ndescription: Small, blue\nprice: 9.5", documents[0].Content);
        Assert.Equal("id: 2\nname: Gadget \"Pro\"\ndescription: Line one\nline two\nprice: 20", documents[1].Content);
        Assert.Equal([0L, 1L, 2L], documents.Select(d => d.Metadata.GetInt64(DocumentMetadataKeys.Row)!.Value));
        Assert.Equal([2L, 4L, 6L], documents.Select(d => d.Metadata.GetInt64(DocumentMetadataKeys.Line)!.Value));
        Assert.All(documents, d => Assert.Null(d.Span));
        Assert.All(documents, d => Assert.Equal("products.csv", d.Source));
    }

    [Fact]
    public async Task LoadAsync_OneContentColumnAndMetadataColumns_ValueIsContent()
    {
        var path = _folder.Write("products.csv", Products);
        var options = new CsvLoaderOptions { ContentColumns = ["description"], MetadataColumns = ["id", "name"] };

        var documents = await new CsvLoader(path, options).LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["Small, blue", "Line one\nline two", "紫砂"], documents.Select(d => d.Content));
        Assert.Equal("茶壶", documents[2].Metadata.GetString("name"));
        Assert.Equal("3", documents[2].Metadata.GetString("id"));
        Assert.False(documents[2].Metadata.ContainsKey("price"));
    }

    [Fact]
    public async Task LoadAsync_MetadataColumnsOnly_ContentIsTheOtherColumns()
    {
        var path = _folder.Write("products.csv", Products);

        var documents = await new CsvLoader(path, new CsvLoaderOptions { MetadataColumns = ["id", "price"] }).LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal("name: Widget\ndescription: Small, blue", documents[0].Content);
    }

    [Fact]
    public async Task LoadAsync_NoHeaderTsv_NamesColumnsByPosition()
    {
        var path = _folder.Write("data.tsv", "a\tb\nc\td\n");

        var documents = await new CsvLoader(path, new CsvLoaderOptions { HasHeader = false, Delimiter = '\t' }).LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["column1: a\ncolumn2: b", "column1: c\ncolumn2: d"], documents.Select(d => d.Content));
        Assert.Equal(1L, documents[0].Metadata.GetInt64(DocumentMetadataKeys.Line));
    }

    [Fact]
    public async Task LoadAsync_GbkFile_DecodesChinese()
    {
        var path = _folder.Write("zh.csv", "问题,答案\n天空是什么颜色？,蓝色。\n", TempFolder.Gbk);

        var document = Assert.Single(await new CsvLoader(path, new CsvLoaderOptions { ContentColumns = ["答案"], MetadataColumns = ["问题"] }).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal("蓝色。", document.Content);
        Assert.Equal("天空是什么颜色？", document.Metadata.GetString("问题"));
    }

    [Fact]
    public async Task LoadAsync_UnknownColumn_ThrowsNamingColumns()
    {
        var path = _folder.Write("p.csv", Products);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await new CsvLoader(path, new CsvLoaderOptions { ContentColumns = ["summary"] }).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Contains("'summary'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'description'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_RowWithExtraFields_ThrowsNamingLine()
    {
        var path = _folder.Write("p.csv", "a,b\n1,2\n3,4,5\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await new CsvLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_UnclosedQuote_Throws()
    {
        var path = _folder.Write("p.csv", "a,b\n1,\"open\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await new CsvLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_ShortRow_MissingFieldsAreEmpty()
    {
        var path = _folder.Write("p.csv", "a,b,c\n1,2\n");

        var document = Assert.Single(await new CsvLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal("a: 1\nb: 2\nc: ", document.Content);
    }

    [Fact]
    public void Constructor_QuoteDelimiter_Throws()
    {
        Assert.Throws<ArgumentException>(() => new CsvLoader("a.csv", new CsvLoaderOptions { Delimiter = '"' }));
        Assert.Throws<ArgumentException>(() => new CsvLoader("a.csv", new CsvLoaderOptions { MetadataColumns = [" "] }));
    }
}
