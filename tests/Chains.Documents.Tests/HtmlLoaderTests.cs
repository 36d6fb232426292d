using System.Text;
using Chains.Indexes.Loaders;

namespace Chains.Documents.Tests;

public sealed class HtmlLoaderTests : IDisposable
{
    private const string Article = """
        <!DOCTYPE html>
        <html lang="en">
        <head><title>  My   Article </title><style>body { color: red }</style><script>var tracking = 1;</script></head>
        <body>
          <header><a href="/">Site name</a></header>
          <nav><ul><li>Home</li><li>About</li></ul></nav>
          <main>
            <h1>Main heading</h1>
            <p>First   paragraph with <b>bold</b> and
               <a href="#">a link</a>.</p>
            <p hidden>Hidden text.</p>
            <ul><li>one</li><li>two</li></ul>
            <pre>code   line 1
          indented</pre>
            <table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>
            <aside>Related posts</aside>
            <script>alert("x")</script>
            <p>Line<br>break</p>
          </main>
          <footer>Copyright</footer>
        </body>
        </html>
        """;

    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task LoadAsync_PageWithMain_MainTextWithBlocksAndTitle()
    {
        var path = _folder.File("article.html");
        await File.WriteAllTextAsync(path, Article, Ct);

        var document = Assert.Single(await new HtmlLoader(path, new HtmlLoaderOptions { SourceName = "article.html" }).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal(
            "Main heading\n\nFirst paragraph with bold and a link.\n\n- one\n- two\n\ncode   line 1\n  indented\n\nk\tv\na\t1\n\nLine\nbreak",
            document.Content);
        Assert.Equal("My Article", document.Metadata.GetString(DocumentMetadataKeys.Title));
        Assert.Equal("article.html", document.Id);
        Assert.Equal("utf-8", document.Metadata.GetString(DocumentMetadataKeys.Encoding));
        Assert.Null(document.Span);
    }

    [Fact]
    public async Task LoadAsync_NoMain_BodyWithoutChromeAndTitleFromH1()
    {
        var path = _folder.File("page.htm");
        await File.WriteAllTextAsync(path, "<html><body><header>Logo</header><nav>Menu</nav><div>Body <span>text</span></div><h1>Heading</h1><footer>Foot</footer></body></html>", Ct);

        var document = Assert.Single(await new HtmlLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal("Body text\n\nHeading", document.Content);
        Assert.Equal("Heading", document.Metadata.GetString(DocumentMetadataKeys.Title));
    }

    [Fact]
    public async Task LoadAsync_GbkPageWithMetaCharset_DecodesChinese()
    {
        var path = _folder.File("zh.html");
        var html = "<html><head><meta charset=\"gbk\"><title>新闻</title></head><body><article><p>今天天气很好。</p></article></body></html>";
        await File.WriteAllBytesAsync(path, CodePagesEncodingProvider.Instance.GetEncoding(936)!.GetBytes(html), Ct);

        var document = Assert.Single(await new HtmlLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal("今天天气很好。", document.Content);
        Assert.Equal("新闻", document.Metadata.GetString(DocumentMetadataKeys.Title));
        Assert.Equal("GB18030", document.Metadata.GetString(DocumentMetadataKeys.Encoding), ignoreCase: true);
    }

    [Fact]
    public async Task LoadAsync_ContentSelector_UsesThatElement()
    {
        var path = _folder.File("custom.html");
        await File.WriteAllTextAsync(path, "<body><div id='menu'>Menu</div><div id='content'><p>Wanted.</p></div></body>", Ct);

        var document = Assert.Single(await new HtmlLoader(path, new HtmlLoaderOptions { ContentSelector = "#content" }).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal("Wanted.", document.Content);
    }

    [Fact]
    public async Task LoadAsync_SelectorMatchesNothing_ThrowsInvalidData()
    {
        var path = _folder.File("custom.html");
        await File.WriteAllTextAsync(path, "<body><p>x</p></body>", Ct);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
            await new HtmlLoader(path, new HtmlLoaderOptions { ContentSelector = "#missing" }).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Contains("#missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_ForcedEncoding_UsesIt()
    {
        var path = _folder.File("latin.html");
        await File.WriteAllBytesAsync(path, Encoding.Latin1.GetBytes("<p>café</p>"), Ct);

        var document = Assert.Single(await new HtmlLoader(path, new HtmlLoaderOptions { Encoding = Encoding.Latin1 }).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal("café", document.Content);
    }
}
