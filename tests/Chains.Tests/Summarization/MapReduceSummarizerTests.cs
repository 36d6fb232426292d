using Chains.Indexes;
using Chains.Runnables;
using Chains.Summarization;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Summarization;

public sealed class MapReduceSummarizerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_ThreeDocuments_MapsEachThenReducesOnce()
    {
        var client = Scripted(map: text => $"<{text[^3..]}>", reduce: text => $"FINAL({text})");

        var summary = await new MapReduceSummarizer(client).InvokeAsync(Docs("aaa", "bbb", "ccc"), cancellationToken: Ct);

        Assert.Equal("FINAL(<aaa>\n\n<bbb>\n\n<ccc>)", summary);
        Assert.Equal(4, client.Calls);
    }

    [Fact]
    public async Task InvokeAsync_MaxConcurrency_BoundsParallelMapCalls()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var client = new FakeChatClient
        {
            GetResponseAsyncCallback = async (_, _, _) =>
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref maxInFlight, now);
                await Task.Yield();
                await Task.Yield();
                Interlocked.Decrement(ref inFlight);
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "s"));
            },
        };

        await new MapReduceSummarizer(client, new MapReduceSummarizerOptions { MaxConcurrency = 2 }).InvokeAsync(Docs("1", "2", "3", "4", "5", "6", "7", "8"), cancellationToken: Ct);

        Assert.InRange(maxInFlight, 1, 2);
        Assert.Equal(9, client.Calls);
    }

    [Fact]
    public async Task InvokeAsync_SummariesOverBudget_CollapsesInRoundsUntilTheyFit()
    {
        var reduceInputs = new List<string>();
        var client = Scripted(map: _ => "mmmmmmmmmm", reduce: text =>
        {
            lock (reduceInputs)
            {
                reduceInputs.Add(text);
            }

            return "rrrrrrrrrr";
        });

        var summary = await new MapReduceSummarizer(client, new MapReduceSummarizerOptions { MaxReduceLength = 25 }).InvokeAsync(Docs("1", "2", "3", "4", "5", "6"), cancellationToken: Ct);

        Assert.Equal("rrrrrrrrrr", summary);
        Assert.Equal(6 + 3 + 2 + 1, client.Calls);
        Assert.All(reduceInputs, input => Assert.True(input.Length <= 25, input));
    }

    [Fact]
    public async Task InvokeAsync_ReduceDoesNotShorten_StopsCollapsing()
    {
        var client = Scripted(map: _ => new string('m', 30), reduce: _ => new string('r', 40));

        await new MapReduceSummarizer(client, new MapReduceSummarizerOptions { MaxReduceLength = 10 }).InvokeAsync(Docs("1", "2"), cancellationToken: Ct);

        Assert.Equal(2 + 2 + 1, client.Calls);
    }

    [Fact]
    public async Task InvokeAsync_OneDocument_ReturnsItsMapSummaryAfterOneCall()
    {
        var client = Scripted(map: _ => "only", reduce: _ => "unused");

        Assert.Equal("only", await new MapReduceSummarizer(client).InvokeAsync(Docs("x"), cancellationToken: Ct));
        Assert.Equal(1, client.Calls);
    }

    [Fact]
    public async Task StreamAsync_SeveralDocuments_StreamsTheFinalReduce()
    {
        var client = Scripted(map: _ => "m", reduce: _ => "unused");
        client.GetStreamingResponseAsyncCallback = (messages, _, ct) => FakeChatClient.Yield(["whole ", "summary"], ct);

        var deltas = await new MapReduceSummarizer(client).StreamAsync(Docs("1", "2"), cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(["whole ", "summary"], deltas);
        Assert.Contains("summaries of consecutive parts", client.LastMessages![^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_EventSink_MapAndReduceAreChildSteps()
    {
        var sink = new CollectingSink();

        await new MapReduceSummarizer(Scripted(_ => "m", _ => "r")).InvokeAsync(Docs("1", "2"), new RunOptions { EventSink = sink }, Ct);

        var started = sink.Events.OfType<RunStartedEvent>().ToArray();
        Assert.Equal("MapReduceSummarizer", started[0].Name);
        Assert.Equal(["Map", "Map", "Reduce"], started.Where(e => e.ParentRunId == started[0].RunId).Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(3, started.Count(e => e.Name == "fake-model"));
    }

    [Fact]
    public async Task InvokeAsync_ChineseDocuments_ReducePromptKeepsTheLanguageInstruction()
    {
        var client = Scripted(map: text => text[^4..], reduce: _ => "总结");

        Assert.Equal("总结", await new MapReduceSummarizer(client).InvokeAsync(Docs("第一部分内容", "第二部分内容"), cancellationToken: Ct));
        Assert.Contains("same language", client.LastMessages![0].Text, StringComparison.Ordinal);
        Assert.EndsWith("部分内容\n\n部分内容", client.LastMessages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Pack_Summaries_GroupsConsecutiveOnesUnderTheBudget()
        => Assert.Equal(["aaaa\n\nbbbb", "cccccccccccc", "dd"], MapReduceSummarizer.Pack(["aaaa", "bbbb", "cccccccccccc", "dd"], 10));

    [Fact]
    public void Constructor_MaxReduceLengthZero_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MapReduceSummarizer(new FakeChatClient(), new MapReduceSummarizerOptions { MaxReduceLength = 0 }));

        Assert.Contains("MaxReduceLength is 0", ex.Message, StringComparison.Ordinal);
    }

    private static Document[] Docs(params string[] texts) => [.. texts.Select((t, i) => new Document($"d{i}", t))];

    /// <summary>A client answering map prompts with <paramref name="map"/> and reduce prompts with <paramref name="reduce"/>,
    /// each given the text after the prompt's instructions.</summary>
    private static FakeChatClient Scripted(Func<string, string> map, Func<string, string> reduce) => new()
    {
        GetResponseAsyncCallback = (messages, _, _) =>
        {
            var prompt = messages.Last().Text;
            var text = prompt[(prompt.IndexOf("\n\n", StringComparison.Ordinal) + 2)..];
            var reply = prompt.StartsWith("The following are summaries", StringComparison.Ordinal) ? reduce(text) : map(text);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply)));
        },
    };

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
