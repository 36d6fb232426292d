using Chains.Indexes;
using Chains.Indexes.Retrievers;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Indexes.Retrievers;

public class ChatSentenceExtractorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompressAsync_ContiguousExtract_NarrowsContentAndSpan()
    {
        var document = new Document("d", "高铁很快。北京今天晴。上海下雨。", DocumentMetadata.Empty.With("page", 2), "news.md", new SourceSpan(100, 16));
        var extractor = new ChatSentenceExtractor(FakeChatClient.Replying(" 北京今天晴。\n"));

        var kept = Assert.Single(await extractor.CompressAsync("北京天气", [document], Ct));

        Assert.Equal("北京今天晴。", kept.Content);
        Assert.Equal(new SourceSpan(105, 6), kept.Span);
        Assert.Equal(("d", "news.md", 2L), (kept.Id, kept.Source, kept.Metadata.GetInt64("page")));
    }

    [Fact]
    public async Task CompressAsync_ExtractNotInTheOriginal_ClearsTheSpan()
    {
        var document = new Document("d", "One. Two. Three.", span: new SourceSpan(0, 16));
        var extractor = new ChatSentenceExtractor(FakeChatClient.Replying("One. Three."));

        var kept = Assert.Single(await extractor.CompressAsync("q", [document], Ct));

        Assert.Equal("One. Three.", kept.Content);
        Assert.Null(kept.Span);
    }

    [Fact]
    public async Task CompressAsync_NoOutputOrEmpty_DropsTheDocumentKeepsOrder()
    {
        var model = new FakeChatClient
        {
            GetResponseAsyncCallback = (messages, _, _) =>
            {
                var user = messages.Last().Text;
                var answer = user.EndsWith("keep-1", StringComparison.Ordinal) ? "keep-1"
                    : user.EndsWith("keep-2", StringComparison.Ordinal) ? "keep-2"
                    : user.EndsWith("drop-1", StringComparison.Ordinal) ? ChatSentenceExtractorOptions.NoOutput
                    : "   ";
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)));
            },
        };
        var extractor = new ChatSentenceExtractor(model);

        var kept = await extractor.CompressAsync("q", [new("a", "keep-1"), new("b", "drop-1"), new("c", "drop-2"), new("d", "keep-2")], Ct);

        Assert.Equal(["a", "d"], TestCorpus.Ids(kept));
    }

    [Fact]
    public async Task CompressAsync_Prompt_AsksToKeepTheDocumentLanguageAndCarriesTheQuestion()
    {
        var model = FakeChatClient.Replying(ChatSentenceExtractorOptions.NoOutput);
        var extractor = new ChatSentenceExtractor(model);

        await extractor.CompressAsync("高铁要多久", [new Document("d", "高铁很快。")], Ct);

        Assert.Contains("Chinese stays Chinese", model.LastMessages![0].Text, StringComparison.Ordinal);
        Assert.Contains("高铁要多久", model.LastMessages[1].Text, StringComparison.Ordinal);
        Assert.Contains("高铁很快。", model.LastMessages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChatSentenceExtractor(new FakeChatClient(), new ChatSentenceExtractorOptions { MaxConcurrency = 0 }));
        Assert.Throws<ArgumentException>(() => new ChatSentenceExtractor(new FakeChatClient(), new ChatSentenceExtractorOptions { Instructions = " " }));
        Assert.Throws<ArgumentNullException>(() => new ChatSentenceExtractor(null!));
    }
}
