using Chains.Memory;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Memory;

public sealed class TokenBudgetChatReducerTests
{
    // Every message costs 3 (framing) + 1 (role) + its words.
    private static readonly ITokenCounter Words = TokenCounter.Create(text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReduceAsync_Fits_KeepsEverything()
    {
        List<ChatMessage> messages = [new(ChatRole.System, "be brief"), new(ChatRole.User, "hi"), new(ChatRole.Assistant, "hello there")];

        var reduced = (await new TokenBudgetChatReducer(Words, 6 + 5 + 6).ReduceAsync(messages, Ct)).ToList();

        Assert.Equal(messages, reduced);
    }

    [Fact]
    public async Task ReduceAsync_OverBudget_DropsOldestTurnsAndKeepsTheSystemPrompt()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "be brief"),             // 6
            new(ChatRole.User, "one two three"),          // 7
            new(ChatRole.Assistant, "four five"),         // 6
            new(ChatRole.User, "six"),                    // 5
            new(ChatRole.Assistant, "seven eight nine"),  // 7
        ];

        var reduced = (await new TokenBudgetChatReducer(Words, 6 + 5 + 7 + 6).ReduceAsync(messages, Ct)).ToList();

        // "four five" would fit too, but the history then would start with an assistant message.
        Assert.Equal(["be brief", "six", "seven eight nine"], reduced.Select(m => m.Text));
    }

    [Fact]
    public async Task ReduceAsync_ToolsAndReservedTokens_CountAgainstTheBudget()
    {
        var tool = AIFunctionFactory.Create(() => "x", "noop", "does nothing");
        var options = new TokenBudgetOptions { Tools = [tool], ReservedTokens = 10 };
        var toolTokens = Words.CountTokens([tool]);
        List<ChatMessage> messages = [new(ChatRole.User, "a b"), new(ChatRole.Assistant, "c"), new(ChatRole.User, "d")];

        var all = (await new TokenBudgetChatReducer(Words, 10 + toolTokens + 6 + 5 + 5, options).ReduceAsync(messages, Ct)).ToList();
        var last = (await new TokenBudgetChatReducer(Words, 10 + toolTokens + 6 + 5 + 5 - 1, options).ReduceAsync(messages, Ct)).ToList();

        Assert.Equal(3, all.Count);
        Assert.Equal(["d"], last.Select(m => m.Text));
    }

    [Fact]
    public async Task ReduceAsync_LatestMessageAloneTooBig_ThrowsNamingBudgetAndCount()
    {
        List<ChatMessage> messages = [new(ChatRole.System, "sys"), new(ChatRole.User, "old"), new(ChatRole.Assistant, "reply"), new(ChatRole.User, "a b c d e f")];

        var ex = await Assert.ThrowsAsync<TokenBudgetExceededException>(() => new TokenBudgetChatReducer(Words, 12).ReduceAsync(messages, Ct));

        Assert.Equal(12, ex.MaxTokens);
        Assert.Equal(5 + 10, ex.RequiredTokens);
        Assert.Contains("12", ex.Message, StringComparison.Ordinal);
        Assert.Contains("15", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReduceAsync_SystemPromptAloneTooBig_Throws()
    {
        List<ChatMessage> messages = [new(ChatRole.System, "a very long system prompt indeed"), new(ChatRole.User, "q")];

        var ex = await Assert.ThrowsAsync<TokenBudgetExceededException>(() => new TokenBudgetChatReducer(Words, 8).ReduceAsync(messages, Ct));

        Assert.Equal(10 + 5, ex.RequiredTokens);
    }

    [Fact]
    public async Task ReduceAsync_LatestResultFitsButItsCallDoesNot_ThrowsCountingBoth()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "go"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "search", new Dictionary<string, object?> { ["q"] = "x" })]), // 3+1+1+1 = 6
            new(ChatRole.Tool, [new FunctionResultContent("c1", "found")]),                                                  // 3+1+1+1 = 6
        ];

        var ex = await Assert.ThrowsAsync<TokenBudgetExceededException>(() => new TokenBudgetChatReducer(Words, 11).ReduceAsync(messages, Ct));

        Assert.Equal(12, ex.RequiredTokens);
    }

    [Fact]
    public async Task ReduceAsync_CutInsideAToolExchange_DropsTheWholeExchange()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "weather"),                                               // 5
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "get")]),             // 5
            new(ChatRole.Tool, [new FunctionResultContent("c1", "sunny")]),             // 6
            new(ChatRole.Assistant, "sunny"),                                            // 5
        ];

        var reduced = (await new TokenBudgetChatReducer(Words, 15).ReduceAsync(messages, Ct)).ToList();

        Assert.Equal(["sunny"], reduced.Select(m => m.Text));
    }

    [Fact]
    public async Task ReduceAsync_LongHistory_CountsOnlyWhatItKeeps()
    {
        var counted = 0;
        var counter = TokenCounter.Create(text =>
        {
            Interlocked.Increment(ref counted);
            return text.Split(' ').Length;
        });
        var messages = Enumerable.Range(0, 1000).Select(i => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, $"m{i}")).ToList();

        var reduced = (await new TokenBudgetChatReducer(counter, 50).ReduceAsync(messages, Ct)).ToList();

        Assert.Equal(10, reduced.Count);
        Assert.True(counted < 30, $"{counted} texts counted");
    }

    [Fact]
    public async Task ReduceAsync_SameMessagesAgain_DoesNotTokenizeThemAgain()
    {
        var counted = 0;
        var counter = TokenCounter.Create(text =>
        {
            Interlocked.Increment(ref counted);
            return text.Split(' ').Length;
        });
        var reducer = new TokenBudgetChatReducer(counter, 100);
        List<ChatMessage> messages = [new(ChatRole.System, "sys"), new(ChatRole.User, "a b"), new(ChatRole.Assistant, "c")];
        await reducer.ReduceAsync(messages, Ct);
        var first = counted;

        messages.Add(new ChatMessage(ChatRole.User, "d"));
        await reducer.ReduceAsync(messages, Ct);

        Assert.Equal(first + 1, counted);
    }

    [Fact]
    public async Task ReduceAsync_MessageChangedAfterCounting_CountsItAgain()
    {
        var reducer = new TokenBudgetChatReducer(Words, 8);
        var message = new ChatMessage(ChatRole.User, "short");
        Assert.Single(await reducer.ReduceAsync([message], Ct));

        message.Contents[0] = new TextContent("now a lot longer than before");

        var ex = await Assert.ThrowsAsync<TokenBudgetExceededException>(() => reducer.ReduceAsync([message], Ct));
        Assert.Equal(4 + 6, ex.RequiredTokens);
    }

    [Fact]
    public async Task ReduceAsync_RandomConversations_NeverExceedTheBudget()
    {
        var counter = TokenCounter.Create(TestTokenizer.Create());
        var tools = new[] { AIFunctionFactory.Create((string city, int days) => city, "get_weather", "Gets the weather 天气") };
        var reducedCount = 0;
        var thrown = 0;
        for (var seed = 0; seed < 500; seed++)
        {
            var random = new Random(seed);
            var messages = RandomConversation.Create(random, random.Next(1, 20));
            var budget = random.Next(20, 700);
            var options = new TokenBudgetOptions { Tools = random.Next(2) == 0 ? tools : null, ReservedTokens = random.Next(0, 20) };
            var fixedTokens = options.ReservedTokens + (options.Tools is null ? 0 : counter.CountTokens(options.Tools)) + messages.Where(m => m.Role == ChatRole.System).Sum(counter.CountTokens);
            var reducer = new TokenBudgetChatReducer(counter, budget, options);

            List<ChatMessage> reduced;
            try
            {
                reduced = (await reducer.ReduceAsync(messages, Ct)).ToList();
            }
            catch (TokenBudgetExceededException ex)
            {
                // Only when the fixed part plus the latest message with its call really exceeds the budget.
                var lastCall = messages.FindLastIndex(m => m.Contents.Any(c => c is FunctionCallContent));
                var tailStart = messages[^1].Contents.Any(c => c is FunctionResultContent) ? lastCall : messages.Count - 1;
                var minimum = fixedTokens + messages.Skip(tailStart).Where(m => m.Role != ChatRole.System).Sum(counter.CountTokens);
                Assert.True(minimum > budget, $"seed {seed}: threw although {minimum} <= {budget}");
                Assert.Equal(minimum, ex.RequiredTokens);
                Assert.Equal(budget, ex.MaxTokens);
                thrown++;
                continue;
            }

            var total = options.ReservedTokens + (options.Tools is null ? 0 : counter.CountTokens(options.Tools)) + reduced.Sum(counter.CountTokens);
            Assert.True(total <= budget, $"seed {seed}: {total} tokens > budget {budget}");
            ConversationAssert.ToolCallsIntact(messages, reduced);
            ConversationAssert.SystemMessagesAndTail(messages, reduced);
            Assert.Same(messages[^1], reduced[^1]);
            reducedCount++;
        }

        // The seeds exercise both outcomes.
        Assert.True(reducedCount > 100 && thrown > 10, $"{reducedCount} reduced, {thrown} over budget");
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new TokenBudgetChatReducer(null!, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBudgetChatReducer(Words, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBudgetOptions { ReservedTokens = -1 });
    }
}
