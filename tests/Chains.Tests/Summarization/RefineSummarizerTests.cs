using Chains.Indexes;
using Chains.Runnables;
using Chains.Summarization;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Summarization;

public sealed class RefineSummarizerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_ThreeDocuments_RefinesTheSummaryInOrder()
    {
        var prompts = new List<string>();
        var client = new FakeChatClient
        {
            GetResponseAsyncCallback = (messages, _, _) =>
            {
                prompts.Add(messages.Last().Text);
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"S{prompts.Count}")));
            },
        };

        var summary = await new RefineSummarizer(client).InvokeAsync([new Document("1", "one"), new Document("2", "two"), new Document("3", "three")], cancellationToken: Ct);

        Assert.Equal("S3", summary);
        Assert.Equal(3, prompts.Count);
        Assert.EndsWith("one", prompts[0], StringComparison.Ordinal);
        Assert.Contains("S1", prompts[1], StringComparison.Ordinal);
        Assert.EndsWith("two", prompts[1], StringComparison.Ordinal);
        Assert.Contains("S2", prompts[2], StringComparison.Ordinal);
        Assert.EndsWith("three", prompts[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_ThreeDocuments_StreamsTheLastRefinement()
    {
        var client = new FakeChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "so far"))),
            GetStreamingResponseAsyncCallback = (messages, _, ct) => FakeChatClient.Yield(["final ", "summary"], ct),
        };

        var deltas = await new RefineSummarizer(client).StreamAsync([new Document("1", "one"), new Document("2", "two"), new Document("3", "three")], cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(["final ", "summary"], deltas);
        Assert.Equal(3, client.Calls);
        Assert.Contains("so far", client.LastMessages![^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_ChineseDocuments_RefinePromptCarriesSummaryAndNextText()
    {
        var client = FakeChatClient.Replying("巴黎是法国首都。");

        await new RefineSummarizer(client).InvokeAsync([new Document("1", "巴黎是法国的首都。"), new Document("2", "埃菲尔铁塔在巴黎。")], cancellationToken: Ct);

        var last = client.LastMessages!;
        Assert.Contains("same language as the text", last[0].Text, StringComparison.Ordinal);
        Assert.Contains("巴黎是法国首都。", last[^1].Text, StringComparison.Ordinal);
        Assert.EndsWith("埃菲尔铁塔在巴黎。", last[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_EmptyList_ReturnsEmptyWithoutCallingTheModel()
    {
        var client = new FakeChatClient();

        Assert.Equal(string.Empty, await new RefineSummarizer(client).InvokeAsync([], cancellationToken: Ct));
        Assert.Equal(0, client.Calls);
    }

    [Fact]
    public async Task InvokeAsync_EventSink_EachCallIsAChildStep()
    {
        var sink = new CollectingSink();

        await new RefineSummarizer(FakeChatClient.Replying("s")).InvokeAsync([new Document("1", "a"), new Document("2", "b"), new Document("3", "c")], new RunOptions { EventSink = sink }, Ct);

        var started = sink.Events.OfType<RunStartedEvent>().ToArray();
        Assert.Equal("RefineSummarizer", started[0].Name);
        Assert.Equal(["Summarize", "Refine", "Refine"], started.Where(e => e.ParentRunId == started[0].RunId).Select(e => e.Name));
        Assert.Equal(3, started.Count(e => e.Name == "fake-model"));
    }
}
