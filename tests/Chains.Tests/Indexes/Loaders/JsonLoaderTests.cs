using Chains.Indexes.Loaders;

namespace Chains.Tests.Indexes.Loaders;

public sealed class JsonLoaderTests : IDisposable
{
    private const string Articles = """
        {
          "site": "blog",
          "articles": [
            { "title": "First", "body": "Hello.", "tags": ["a", "b"], "views": 10, "score": 1.5, "published": true, "extra": { "x": 1 } },
            null,
            { "title": "第二篇", "body": { "zh": "你好" } },
          ]
        }
        """;

    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task LoadAsync_PathWithContentAndMetadataProperties_OneDocumentPerItem()
    {
        var path = _folder.Write("blog.json", Articles);
        var options = new JsonLoaderOptions
        {
            SourceName = "blog.json",
            Path = "$.articles[*]",
            ContentProperty = "body",
            MetadataProperties = ["title", "tags", "views", "score", "published", "extra", "missing"],
        };

        var documents = await new JsonLoader(path, options).LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["blog.json#$.articles[0]", "blog.json#$.articles[2]"], documents.Select(d => d.Id));
        Assert.Equal("Hello.", documents[0].Content);
        Assert.Equal("""{"zh":"你好"}""", documents[1].Content);
        var first = documents[0].Metadata;
        Assert.Equal("First", first.GetString("title"));
        Assert.Equal(["a", "b"], Assert.IsType<string[]>(first["tags"]));
        Assert.Equal(10L, first.GetInt64("views"));
        Assert.Equal(1.5, first.GetDouble("score"));
        Assert.Equal(true, first["published"]);
        Assert.Equal("""{"x":1}""", first.GetString("extra"));
        Assert.False(first.ContainsKey("missing"));
        Assert.Equal("$.articles[0]", first.GetString(DocumentMetadataKeys.JsonPath));
        Assert.Equal([0L, 1L], documents.Select(d => d.Metadata.GetInt64(DocumentMetadataKeys.Row)!.Value));
        Assert.All(documents, d => Assert.Null(d.Span));
    }

    [Fact]
    public async Task LoadAsync_DefaultPath_RootAsCompactJson()
    {
        var path = _folder.Write("one.json", """{ "a" : [1, 2] }""");

        var document = Assert.Single(await new JsonLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Equal("""{"a":[1,2]}""", document.Content);
        Assert.Equal(path + "#$", document.Id);
    }

    [Fact]
    public async Task LoadAsync_RecursiveDescent_FindsNamesAtAnyDepth()
    {
        var path = _folder.Write("tree.json", """{ "text": "root", "children": [ { "text": "a" }, { "more": { "text": "b" } } ] }""");

        var documents = await new JsonLoader(path, new JsonLoaderOptions { Path = "$..text" }).LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["root", "a", "b"], documents.Select(d => d.Content));
        Assert.Equal("$.children[1].more.text", documents[2].Metadata.GetString(DocumentMetadataKeys.JsonPath));
    }

    [Fact]
    public async Task LoadAsync_JsonLines_EachLineSelectedWithLineNumber()
    {
        var path = _folder.Write("chat.jsonl", "{\"q\":\"hi\",\"a\":\"hello\"}\n\n{\"q\":\"你好\",\"a\":\"您好\"}\n");

        var documents = await new JsonLoader(path, new JsonLoaderOptions { SourceName = "chat.jsonl", Path = "$.a" }).LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["hello", "您好"], documents.Select(d => d.Content));
        Assert.Equal(["chat.jsonl#$[0].a", "chat.jsonl#$[1].a"], documents.Select(d => d.Id));
        Assert.Equal([1L, 3L], documents.Select(d => d.Metadata.GetInt64(DocumentMetadataKeys.Line)!.Value));
    }

    [Fact]
    public async Task LoadAsync_InvalidJson_ThrowsNamingLine()
    {
        var path = _folder.Write("bad.jsonl", "{\"a\":1}\n{oops}\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await new JsonLoader(path).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_ItemWithoutContentProperty_ThrowsNamingPath()
    {
        var path = _folder.Write("a.json", """[{ "body": "x" }, { "title": "y" }]""");

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
            await new JsonLoader(path, new JsonLoaderOptions { Path = "$[*]", ContentProperty = "body" }).LoadAsync(Ct).ToListAsync(Ct));

        Assert.Contains("$[1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MalformedPath_ThrowsNamingPosition()
    {
        var error = Assert.Throws<ArgumentException>(() => new JsonLoader("a.json", new JsonLoaderOptions { Path = "$.items[x]" }));

        Assert.Contains("position 7", error.Message, StringComparison.Ordinal);
        Assert.Equal("options", error.ParamName);
    }
}
