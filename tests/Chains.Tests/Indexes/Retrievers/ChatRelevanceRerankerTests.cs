using Chains.Indexes;
using Chains.Indexes.Retrievers;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Indexes.Retrievers;

public class ChatRelevanceRerankerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompressAsync_ModelScores_ReordersAndDropsBelowMinimum()
    {
        var model = ScoringModel(new() { ["A"] = "3", ["B"] = "Score: 9/10", ["C"] = "7", ["D"] = "no idea" });
        var reranker = new ChatRelevanceReranker(model, new ChatRelevanceRerankerOptions { MinScore = 3 });

        var kept = await reranker.CompressAsync("q", [new("a", "A"), new("b", "B"), new("c", "C"), new("d", "D")], Ct);

        Assert.Equal(["b", "c", "a"], TestCorpus.Ids(kept));
    }

    [Fact]
    public async Task ScoreAsync_ReturnsClampedScoresBestFirstTiesInOrder()
    {
        var model = ScoringModel(new() { ["A"] = "5", ["B"] = "12", ["C"] = "5" });
        var reranker = new ChatRelevanceReranker(model, new ChatRelevanceRerankerOptions { Top = 3 });

        var scored = await reranker.ScoreAsync("q", [new("a", "A"), new("b", "B"), new("c", "C")], Ct);

        Assert.Equal([("b", 10.0), ("a", 5.0), ("c", 5.0)], scored.Select(s => (s.Document.Id, s.Score)));
    }

    [Fact]
    public async Task CompressAsync_ChineseQuery_SendsQueryAndDocumentInTheUserMessage()
    {
        var model = FakeChatClient.Replying("8");
        var reranker = new ChatRelevanceReranker(model);

        await reranker.CompressAsync("高铁要多久", [new Document("d", "高铁从上海到北京大约需要四个半小时。")], Ct);

        var user = model.LastMessages![1].Text;
        Assert.Contains("高铁要多久", user, StringComparison.Ordinal);
        Assert.Contains("四个半小时", user, StringComparison.Ordinal);
        Assert.Contains("0", model.LastMessages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompressAsync_MaxConcurrency_BoundsParallelCalls()
    {
        var running = 0;
        var peak = 0;
        var model = new FakeChatClient
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System, ct);
                Interlocked.Decrement(ref running);
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "5"));
            },
        };
        var reranker = new ChatRelevanceReranker(model, new ChatRelevanceRerankerOptions { MaxConcurrency = 2 });

        var kept = await reranker.CompressAsync("q", Enumerable.Range(0, 8).Select(i => new Document($"d{i}", "x")).ToArray(), Ct);

        Assert.Equal(8, kept.Count);
        Assert.Equal(8, model.Calls);
        Assert.InRange(peak, 1, 2);
    }

    [Theory]
    [InlineData("7", 7)]
    [InlineData("Relevance: 8.5", 8.5)]
    [InlineData("-3", 3)]
    [InlineData("42", 10)]
    [InlineData("none", 0)]
    public void ParseScore_Answers_ReadsTheFirstNumberClamped(string answer, double expected)
        => Assert.Equal(expected, ChatRelevanceReranker.ParseScore(answer));

    [Fact]
    public void Constructor_InvalidOptions_Throw()
    {
        var model = new FakeChatClient();
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChatRelevanceReranker(model, new ChatRelevanceRerankerOptions { MinScore = 11 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChatRelevanceReranker(model, new ChatRelevanceRerankerOptions { Top = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChatRelevanceReranker(model, new ChatRelevanceRerankerOptions { MaxConcurrency = 0 }));
        Assert.Throws<ArgumentException>(() => new ChatRelevanceReranker(model, new ChatRelevanceRerankerOptions { Instructions = "" }));
    }

    private static FakeChatClient ScoringModel(Dictionary<string, string> answers) => new()
    {
        GetResponseAsyncCallback = (messages, _, _) =>
        {
            var user = messages.Last().Text;
            var content = user[(user.LastIndexOf('\n') + 1)..];
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answers[content])));
        },
    };

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
