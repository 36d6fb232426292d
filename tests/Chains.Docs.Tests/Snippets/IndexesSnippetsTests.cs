using Chains.Docs.Snippets;
using Chains.Docs.Tests.Fakes;
using Chains.Indexes.Loaders;

namespace Chains.Docs.Tests.Snippets;

[Collection(MiniLmCollection.Name)]
public sealed class IndexesSnippetsTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("chains-docs-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task LoadAndSplit_ChineseSentencesWithinTheSizeAndSpansIntoTheFile()
    {
        var chunks = await IndexesSnippets.LoadAndSplitAsync(_folder.FullName);

        var text = await File.ReadAllTextAsync(Path.Combine(_folder.FullName, "长城.txt"), TestContext.Current.CancellationToken);
        Assert.True(chunks.Count >= text.Length / 40, $"{chunks.Count} chunks");
        Assert.All(chunks, c =>
        {
            Assert.InRange(c.Content.Length, 1, 40);
            Assert.EndsWith("。", c.Content, StringComparison.Ordinal);
            Assert.Equal(c.Content, text.Substring(c.Span!.Value.Start, c.Span.Value.Length));
        });
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Content)));
    }

    [Fact]
    public async Task LoadHtml_MainTextAndTitleWithoutNavigationOrFooter()
    {
        var doc = Assert.Single(await IndexesSnippets.LoadHtmlAsync(_folder.FullName));

        Assert.Equal("常见问题", doc.Metadata.GetString(DocumentMetadataKeys.Title));
        Assert.Contains("收到商品七天内可以无理由退货。", doc.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("首页", doc.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("版权所有", doc.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VectorStore_FindsTheCatDocumentAndTheFilterKeepsOnlyCooking()
    {
        var (all, filtered) = await IndexesSnippets.VectorStoreAsync();

        Assert.Equal(2, all.Count);
        Assert.Equal("cats", all[0].Id);
        Assert.Equal("bread", Assert.Single(filtered).Id);
    }

    [Fact]
    public async Task Indexer_UnchangedFilesCostNoEmbeddingCallsAndAnEditReembedsOnlyThatFile()
    {
        var (first, second, afterEdit) = await IndexesSnippets.IndexerAsync(_folder.FullName);

        Assert.Equal(2, first.DocumentsAdded);
        Assert.True(first.EmbeddingCalls > 0);
        Assert.Equal(0, second.EmbeddingCalls);
        Assert.Equal(2, second.DocumentsSkipped);
        Assert.Equal(1, afterEdit.DocumentsUpdated);
        Assert.Equal(1, afterEdit.DocumentsSkipped);
        Assert.Equal(1, afterEdit.EmbeddedTexts);
    }

    [Fact]
    public async Task Rag_CitesTheCatPassageAndMarksTheSentenceSupported()
    {
        var answer = await IndexesSnippets.RagAsync(TestChatClient.Extractive());

        var sentence = Assert.Single(answer.Sentences);
        Assert.Equal([1], sentence.Citations);
        Assert.True(sentence.Supported);
        Assert.NotNull(sentence.SemanticSimilarity);
        Assert.Equal("cats.md", Assert.Single(answer.Citations).Passage.Source);
        Assert.Contains("✓ Cats sleep for most of the day. ← cats.md", Output.Current);
    }
}
