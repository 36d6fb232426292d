using Chains.Memory;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Memory;

public sealed class WindowChatReducerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReduceAsync_ShortConversation_KeepsEverything()
    {
        List<ChatMessage> messages = [new(ChatRole.System, "sys"), new(ChatRole.User, "q"), new(ChatRole.Assistant, "a")];

        var reduced = (await new WindowChatReducer(5).ReduceAsync(messages, Ct)).ToList();

        Assert.Equal(messages, reduced);
    }

    [Fact]
    public async Task ReduceAsync_LongConversation_KeepsSystemMessagesAndTheLastMessages()
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, "sys") };
        for (var i = 0; i < 10; i++)
        {
            messages.Add(new ChatMessage(ChatRole.User, $"q{i}"));
            messages.Add(new ChatMessage(ChatRole.Assistant, $"a{i}"));
        }

        var reduced = (await new WindowChatReducer(4).ReduceAsync(messages, Ct)).ToList();

        Assert.Equal(["sys", "q8", "a8", "q9", "a9"], reduced.Select(m => m.Text));
    }

    [Fact]
    public async Task ReduceAsync_WindowWouldStartAtAToolResult_MovesPastTheWholeExchange()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "weather?"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "sunny")]),
            new(ChatRole.Assistant, "It is sunny."),
            new(ChatRole.User, "thanks"),
            new(ChatRole.Assistant, "welcome"),
        ];

        var reduced = (await new WindowChatReducer(4).ReduceAsync(messages, Ct)).ToList();

        // The last 4 would start with the tool result; the window shrinks to start at the next user message.
        Assert.Equal(["thanks", "welcome"], reduced.Select(m => m.Text));
    }

    [Fact]
    public async Task ReduceAsync_NoUserMessageInWindow_StartsAtTheCallNotItsResult()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "plan a trip"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "search")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "r1")]),
            new(ChatRole.Assistant, [new FunctionCallContent("c2", "book")]),
            new(ChatRole.Tool, [new FunctionResultContent("c2", "r2")]),
            new(ChatRole.Assistant, "booked"),
        ];

        var reduced = (await new WindowChatReducer(4).ReduceAsync(messages, Ct)).ToList();

        Assert.Equal(3, reduced.Count);
        Assert.IsType<FunctionCallContent>(reduced[0].Contents[0]);
        Assert.Equal("c2", ((FunctionCallContent)reduced[0].Contents[0]).CallId);
    }

    [Fact]
    public async Task ReduceAsync_LatestExchangeLongerThanTheWindow_GrowsToKeepItWhole()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "compare"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "f"), new FunctionCallContent("c2", "f"), new FunctionCallContent("c3", "f")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "1")]),
            new(ChatRole.Tool, [new FunctionResultContent("c2", "2")]),
            new(ChatRole.Tool, [new FunctionResultContent("c3", "3")]),
        ];

        var reduced = (await new WindowChatReducer(2).ReduceAsync(messages, Ct)).ToList();

        Assert.Equal(messages.Skip(1), reduced);
    }

    [Fact]
    public async Task ReduceAsync_SystemMessageInTheMiddle_KeptInItsPlace()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "first"), new(ChatRole.User, "q1"), new(ChatRole.System, "middle"), new(ChatRole.Assistant, "a1"),
            new(ChatRole.User, "q2"), new(ChatRole.System, "late"), new(ChatRole.Assistant, "a2"),
        ];

        var reduced = (await new WindowChatReducer(2).ReduceAsync(messages, Ct)).ToList();

        Assert.Equal(["first", "middle", "q2", "late", "a2"], reduced.Select(m => m.Text));
    }

    [Fact]
    public async Task ReduceAsync_RandomConversations_NeverSeparateACallFromItsResult()
    {
        for (var seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            var messages = RandomConversation.Create(random, random.Next(1, 15));
            var max = random.Next(1, 12);

            var reduced = (await new WindowChatReducer(max).ReduceAsync(messages, Ct)).ToList();

            ConversationAssert.ToolCallsIntact(messages, reduced);
            ConversationAssert.SystemMessagesAndTail(messages, reduced);
            Assert.Same(messages[^1], reduced[^1]);
            var kept = reduced.Count(m => m.Role != ChatRole.System);
            if (kept > max)
            {
                // Only the latest tool exchange may make the window grow, and then it starts at that exchange's call.
                Assert.Contains(reduced.First(m => m.Role != ChatRole.System).Contents, c => c is FunctionCallContent);
            }
        }
    }

    [Fact]
    public void Constructor_LessThanOneMessage_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new WindowChatReducer(0));

    [Fact]
    public async Task ReduceAsync_NullEntry_Throws()
        => await Assert.ThrowsAsync<ArgumentException>(() => new WindowChatReducer(2).ReduceAsync([new ChatMessage(ChatRole.User, "q"), null!], Ct));
}
