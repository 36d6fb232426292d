using Chains.Indexes;
using Chains.Indexes.Retrievers;
using Chains.Indexes.VectorStores;

namespace Chains.Tests.Indexes.Retrievers;

public class ParentDocumentRetrieverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Document[] Parents =
    [
        new("guide", "Cats sleep a lot. Dogs need walks. Parrots can talk.", source: "guide.md"),
        new("finance", "Stocks fell today. Bonds rose. Gold was flat.", source: "finance.md"),
        new("中文", "向量数据库存储嵌入。高铁很快。", source: "zh.md"),
    ];

    [Fact]
    public async Task AddDocumentsAsync_SplitsTagsAndStoresChunksAndParents()
    {
        using var chunks = new InMemoryVectorStore();
        var parents = new InMemoryDocumentStore();
        var retriever = new ParentDocumentRetriever(chunks, new BagOfWordsEmbeddingGenerator(), parents);

        var count = await retriever.AddDocumentsAsync(Parents, new SentenceSplitter(), Ct);

        Assert.Equal(8, count);
        Assert.Equal(8, chunks.Count);
        Assert.Equal(3, parents.Count);
        var chunk = Assert.Single(await chunks.SearchAsync(BagOfWordsEmbeddingGenerator.Embed("Parrots can talk"), new VectorSearchOptions { Top = 1 }, Ct));
        Assert.Equal("guide", chunk.Document.Metadata.GetString(ParentDocumentRetrieverOptions.DefaultParentIdKey));
    }

    [Fact]
    public async Task InvokeAsync_QueryMatchesAChunk_ReturnsTheWholeParent()
    {
        var retriever = await IndexedAsync(new ParentDocumentRetrieverOptions { Top = 1 });

        var documents = await retriever.InvokeAsync("Do parrots talk?", cancellationToken: Ct);

        var parent = Assert.Single(documents);
        Assert.Equal(Parents[0], parent);
    }

    [Fact]
    public async Task InvokeAsync_SeveralChunksOfOneParent_ReturnsItOnceInBestChunkOrder()
    {
        var retriever = await IndexedAsync(new ParentDocumentRetrieverOptions { Top = 3, ChunkTop = 8 });

        var documents = await retriever.InvokeAsync("Stocks fell, bonds rose", cancellationToken: Ct);

        Assert.Equal("finance", documents[0].Id);
        Assert.Equal(documents.Count, documents.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public async Task InvokeAsync_ChineseQuery_ReturnsTheChineseParent()
    {
        var retriever = await IndexedAsync(new ParentDocumentRetrieverOptions { Top = 1 });

        var documents = await retriever.InvokeAsync("高铁快吗", cancellationToken: Ct);

        Assert.Equal(["中文"], TestCorpus.Ids(documents));
    }

    [Fact]
    public async Task InvokeAsync_ParentMissingFromTheStore_SkipsIt()
    {
        var parents = new InMemoryDocumentStore();
        var retriever = await IndexedAsync(new ParentDocumentRetrieverOptions { Top = 2 }, parents);
        await parents.DeleteAsync(["guide"], Ct);

        var documents = await retriever.InvokeAsync("Do parrots talk? Cats sleep.", cancellationToken: Ct);

        Assert.DoesNotContain("guide", TestCorpus.Ids(documents));
    }

    [Fact]
    public async Task InvokeAsync_CustomParentKeyAndFilter_AreUsed()
    {
        using var chunks = new InMemoryVectorStore();
        var parents = new InMemoryDocumentStore();
        var retriever = new ParentDocumentRetriever(chunks, new BagOfWordsEmbeddingGenerator(), parents, new ParentDocumentRetrieverOptions
        {
            ParentIdKey = "doc",
            Filter = MetadataFilter.Ne("doc", "guide"),
        });
        await retriever.AddDocumentsAsync(Parents, new SentenceSplitter(), Ct);

        var documents = await retriever.InvokeAsync("Cats sleep a lot", cancellationToken: Ct);

        Assert.NotEmpty(documents);
        Assert.DoesNotContain("guide", TestCorpus.Ids(documents));
    }

    [Fact]
    public void Constructor_InvalidOptions_Throw()
    {
        using var chunks = new InMemoryVectorStore();
        var generator = new BagOfWordsEmbeddingGenerator();
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParentDocumentRetriever(chunks, generator, new InMemoryDocumentStore(), new ParentDocumentRetrieverOptions { Top = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParentDocumentRetriever(chunks, generator, new InMemoryDocumentStore(), new ParentDocumentRetrieverOptions { Top = 5, ChunkTop = 4 }));
        Assert.Throws<ArgumentException>(() => new ParentDocumentRetriever(chunks, generator, new InMemoryDocumentStore(), new ParentDocumentRetrieverOptions { ParentIdKey = "" }));
        Assert.Throws<ArgumentNullException>(() => new ParentDocumentRetriever(chunks, generator, null!));
    }

    private static async Task<ParentDocumentRetriever> IndexedAsync(ParentDocumentRetrieverOptions options, InMemoryDocumentStore? parents = null)
    {
        var retriever = new ParentDocumentRetriever(new InMemoryVectorStore(), new BagOfWordsEmbeddingGenerator(), parents ?? new InMemoryDocumentStore(), options);
        await retriever.AddDocumentsAsync(Parents, new SentenceSplitter(), Ct);
        return retriever;
    }

    /// <summary>Splits at '.' and '。', keeping spans into the parent.</summary>
    private sealed class SentenceSplitter : ITextSplitter
    {
        public IReadOnlyList<Document> Split(Document document)
        {
            var chunks = new List<Document>();
            var start = 0;
            for (var i = 0; i < document.Content.Length; i++)
            {
                if (document.Content[i] is '.' or '。')
                {
                    var text = document.Content[start..(i + 1)];
                    var trimmed = text.TrimStart();
                    var at = start + (text.Length - trimmed.Length);
                    chunks.Add(new Document($"{document.Id}#{chunks.Count}", trimmed, document.Metadata.With("chunk", chunks.Count), document.Source, new SourceSpan(at, trimmed.Length)));
                    start = i + 1;
                }
            }

            return chunks;
        }
    }
}
