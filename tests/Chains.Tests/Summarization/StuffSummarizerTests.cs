using Chains.Indexes;
using Chains.Prompts;
using Chains.Runnables;
using Chains.Summarization;
using Chains.Tests.Fakes;

namespace Chains.Tests.Summarization;

public sealed class StuffSummarizerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_Documents_SendsAllInOnePrompt()
    {
        var client = FakeChatClient.Replying("Both parts, summarized.");
        var summarizer = new StuffSummarizer(client);

        var summary = await summarizer.InvokeAsync([new Document("a", "First part."), new Document("b", "Second part.")], cancellationToken: Ct);

        Assert.Equal("Both parts, summarized.", summary);
        Assert.Equal(1, client.Calls);
        Assert.EndsWith("First part.\n\nSecond part.", client.LastMessages![^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_EmptyList_ReturnsEmptyWithoutCallingTheModel()
    {
        var client = FakeChatClient.Replying("unused");

        Assert.Equal(string.Empty, await new StuffSummarizer(client).InvokeAsync([], cancellationToken: Ct));
        Assert.Equal(0, client.Calls);
    }

    [Fact]
    public async Task StreamAsync_Always_YieldsTheModelsTextDeltas()
    {
        var summarizer = new StuffSummarizer(FakeChatClient.Streaming("A short ", "summary."));

        Assert.Equal(["A short ", "summary."], await summarizer.StreamAsync([new Document("a", "Long text.")], cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task InvokeAsync_ChineseDocuments_PromptAsksForTheTextsLanguage()
    {
        var client = FakeChatClient.Replying("向量数据库保存嵌入。");
        var summarizer = new StuffSummarizer(client);

        var summary = await summarizer.InvokeAsync([new Document("zh", "向量数据库保存文档的嵌入向量，检索器据此找到相关段落。")], cancellationToken: Ct);

        Assert.Equal("向量数据库保存嵌入。", summary);
        Assert.Contains("same language as the text", client.LastMessages![0].Text, StringComparison.Ordinal);
        Assert.Contains("向量数据库保存文档的嵌入向量", client.LastMessages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_EventSink_ModelCallIsAChildStep()
    {
        var sink = new CollectingSink();

        await new StuffSummarizer(FakeChatClient.Replying("s")).InvokeAsync([new Document("a", "text")], new RunOptions { EventSink = sink }, Ct);

        var started = sink.Events.OfType<RunStartedEvent>().ToDictionary(e => e.Name);
        Assert.Equal(started["StuffSummarizer"].RunId, started["Summarize"].ParentRunId);
        Assert.Equal(started["Summarize"].RunId, started["fake-model"].ParentRunId);
    }

    [Fact]
    public void Constructor_PromptWithoutText_Throws()
        => Assert.Throws<PromptVariablesException>(() => new StuffSummarizer(new FakeChatClient(), new StuffSummarizerOptions { Prompt = new ChatPromptTemplate(ChatMessageTemplate.User("Summarize {content}")) }));
}
