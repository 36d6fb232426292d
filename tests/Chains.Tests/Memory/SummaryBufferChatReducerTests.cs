using Chains.Memory;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Memory;

public sealed class SummaryBufferChatReducerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReduceAsync_UnderTheMaximum_ReturnsTheMessagesWithoutCallingTheModel()
    {
        var summarizer = Summarizer(out _);
        List<ChatMessage> messages = [new(ChatRole.User, "u0"), new(ChatRole.Assistant, "a0")];

        var reduced = await new SummaryBufferChatReducer(summarizer, 4).ReduceAsync(messages, Ct);

        Assert.Equal(messages, reduced);
        Assert.Equal(0, summarizer.Calls);
    }

    [Fact]
    public async Task ReduceAsync_OverTheMaximum_FoldsTheOldestIntoOneSummaryAfterTheSystemPrompt()
    {
        var summarizer = Summarizer(out var prompts);
        var messages = Conversation("be nice", 0, 4);

        var reduced = (await new SummaryBufferChatReducer(summarizer, 4, new SummaryBufferOptions { TargetMessages = 3 }).ReduceAsync(messages, Ct)).ToList();

        Assert.Equal(1, summarizer.Calls);
        Assert.Equal(["be nice", "Summary of the earlier conversation:\nS1", "u2", "a2", "u3"], reduced.Select(m => m.Text));
        Assert.Equal(ChatRole.System, reduced[1].Role);
        Assert.Equal(4, reduced[1].AdditionalProperties![SummaryBufferChatReducer.SummaryPropertyName]);
        var prompt = Assert.Single(prompts);
        Assert.Contains("(none)", prompt, StringComparison.Ordinal);
        Assert.Contains("User: u0\nAssistant: a0\nUser: u1\nAssistant: a1", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("u2", prompt, StringComparison.Ordinal);
        Assert.Equal(SummaryBufferOptions.DefaultInstructions, summarizer.LastMessages![0].Text);
    }

    [Fact]
    public async Task ReduceAsync_ReducedListGrowsAgain_SummarisesOnlyTheNewMessagesOntoThePreviousSummary()
    {
        var summarizer = Summarizer(out var prompts);
        var reducer = new SummaryBufferChatReducer(summarizer, 4, new SummaryBufferOptions { TargetMessages = 3 });
        var first = (await reducer.ReduceAsync(Conversation("be nice", 0, 4), Ct)).ToList();
        first.RemoveAt(first.Count - 1);
        first.AddRange(Conversation(null, 3, 6));

        var second = (await reducer.ReduceAsync(first, Ct)).ToList();

        Assert.Equal(2, summarizer.Calls);
        Assert.Contains("Previous summary:\nS1", prompts[1], StringComparison.Ordinal);
        Assert.Contains("User: u2\nAssistant: a2\nUser: u3\nAssistant: a3", prompts[1], StringComparison.Ordinal);
        Assert.DoesNotContain("u0", prompts[1], StringComparison.Ordinal);
        Assert.Equal(["be nice", "Summary of the earlier conversation:\nS2", "u4", "a4", "u5"], second.Select(m => m.Text));
        Assert.Equal(8, second[1].AdditionalProperties![SummaryBufferChatReducer.SummaryPropertyName]);
    }

    [Fact]
    public async Task ReduceAsync_TurnInProgressIsLong_NeverSummarisesIt()
    {
        var summarizer = Summarizer(out var prompts);
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "old"), new(ChatRole.Assistant, "older reply"),
            new(ChatRole.User, "current"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "f")]), new(ChatRole.Tool, [new FunctionResultContent("c1", "r1")]),
            new(ChatRole.Assistant, [new FunctionCallContent("c2", "f")]), new(ChatRole.Tool, [new FunctionResultContent("c2", "r2")]),
        ];

        var reduced = (await new SummaryBufferChatReducer(summarizer, 3, new SummaryBufferOptions { TargetMessages = 1 }).ReduceAsync(messages, Ct)).ToList();

        Assert.Contains("User: old\nAssistant: older reply", Assert.Single(prompts), StringComparison.Ordinal);
        Assert.Equal(messages.Skip(2), reduced.Skip(1));
        ConversationAssert.ToolCallsIntact(messages, reduced);
    }

    [Fact]
    public async Task WithHistory_TenTurns_SummarisesEachMessageOnceAndKeepsTheSummaryInTheStore()
    {
        var summarizer = Summarizer(out var prompts);
        var reducer = new SummaryBufferChatReducer(summarizer, 4, new SummaryBufferOptions { TargetMessages = 2 });
        var store = new InMemoryChatHistoryStore();
        var model = new FakeChatClient { GetResponseAsyncCallback = (m, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "r" + m.Last().Text![1..]))) };

        for (var i = 0; i < 10; i++)
        {
            // A new chain each turn, as after a restart: everything it knows comes from the store.
            await model.AsRunnable().WithHistory(store, "s", reducer).InvokeAsync($"u{i}", cancellationToken: Ct);
        }

        Assert.Equal(4, summarizer.Calls);
        for (var i = 0; i < 8; i++)
        {
            // Every summarised message went to the summariser exactly once.
            Assert.Single(prompts, p => p.Contains($"User: u{i}\n", StringComparison.Ordinal));
            Assert.Single(prompts, p => p.Contains($"Assistant: r{i}", StringComparison.Ordinal));
        }

        Assert.Equal(["Summary of the earlier conversation:\nS4", "u8", "r8", "u9"], model.LastMessages!.Select(m => m.Text));
        var log = await store.LoadAsync("s", Ct);
        Assert.Equal(20 + 4, log.Count);
        Assert.Equal(4, log.Count(m => m.AdditionalProperties?.ContainsKey(SummaryBufferChatReducer.SummaryPropertyName) == true));
    }

    [Fact]
    public async Task WithHistory_SummaryInAFileStore_SurvivesTheRoundTrip()
    {
        var directory = Path.Combine(Path.GetTempPath(), "chains-summary-" + Guid.NewGuid().ToString("N"));
        try
        {
            var summarizer = Summarizer(out _);
            var reducer = new SummaryBufferChatReducer(summarizer, 2, new SummaryBufferOptions { TargetMessages = 1 });
            var model = new FakeChatClient();
            for (var i = 0; i < 4; i++)
            {
                await model.AsRunnable().WithHistory(new FileChatHistoryStore(directory), "s", reducer).InvokeAsync($"u{i}", cancellationToken: Ct);
            }

            // Turns 1, 2 and 3 each fold one exchange, starting from the summary read back from the file.
            Assert.Equal(3, summarizer.Calls);
            Assert.Equal(["Summary of the earlier conversation:\nS3", "u3"], model.LastMessages!.Select(m => m.Text));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ReduceAsync_EmptySummary_Throws()
    {
        var summarizer = FakeChatClient.Replying("  ");

        await Assert.ThrowsAsync<InvalidOperationException>(() => new SummaryBufferChatReducer(summarizer, 2).ReduceAsync(Conversation(null, 0, 3), Ct));
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        var client = new FakeChatClient();

        Assert.Throws<ArgumentNullException>(() => new SummaryBufferChatReducer(null!, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SummaryBufferChatReducer(client, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SummaryBufferChatReducer(client, 4, new SummaryBufferOptions { TargetMessages = 5 }));
        Assert.Throws<ArgumentException>(() => new SummaryBufferChatReducer(client, 4, new SummaryBufferOptions { Instructions = " " }));
        Assert.Equal(2, new SummaryBufferChatReducer(client, 5).TargetMessages);
    }

    private static FakeChatClient Summarizer(out List<string> prompts)
    {
        var seen = new List<string>();
        prompts = seen;
        FakeChatClient? client = null;
        client = new FakeChatClient
        {
            GetResponseAsyncCallback = (messages, _, _) =>
            {
                seen.Add(messages.Last().Text);
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"S{client!.Calls}")));
            },
        };
        return client;
    }

    /// <summary>Turns <paramref name="from"/> to <paramref name="to"/> - 1 as user/assistant pairs, then a last user message.</summary>
    private static List<ChatMessage> Conversation(string? system, int from, int to)
    {
        var messages = new List<ChatMessage>();
        if (system is not null)
        {
            messages.Add(new ChatMessage(ChatRole.System, system));
        }

        for (var i = from; i < to - 1; i++)
        {
            messages.Add(new ChatMessage(ChatRole.User, $"u{i}"));
            messages.Add(new ChatMessage(ChatRole.Assistant, $"a{i}"));
        }

        messages.Add(new ChatMessage(ChatRole.User, $"u{to - 1}"));
        return messages;
    }
}
