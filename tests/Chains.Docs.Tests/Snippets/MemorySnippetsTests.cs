using Chains.Docs.Snippets;
using Chains.Docs.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Tests.Snippets;

public sealed class MemorySnippetsTests
{
    [Fact]
    public async Task WithHistory_SecondTurnSeesTheFirstAndBothAreStored()
    {
        var model = TestChatClient.Echo();

        var kept = await MemorySnippets.WithHistoryAsync(model);

        Assert.Equal(["My name is Alice.", "My name is Alice.", "What is my name?", "What is my name?"], kept.Select(m => m.Text));
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.User, ChatRole.Assistant], kept.Select(m => m.Role));
        Assert.Equal(["My name is Alice.", "My name is Alice.", "What is my name?"], model.Sent[1].Select(m => m.Text));
        Assert.Contains("4 messages in the session", Output.Current);
    }

    [Fact]
    public async Task Reducers_KeepTheSystemMessageAndTheNewestTurnsWithinTheBudget()
    {
        var (kept, counter, budget) = await MemorySnippets.ReducersAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ChatRole.System, kept[0].Role);
        Assert.Equal("这是第10个回答。", kept[^1].Text);
        Assert.InRange(kept.Count, 3, 7);
        Assert.True(kept.Sum(counter.CountTokens) <= budget, $"{kept.Sum(counter.CountTokens)} tokens kept");
        Assert.Equal(ChatRole.User, kept[1].Role);
        var newest = kept.Skip(1).Select(m => m.Text).ToList();
        Assert.Equal(newest.Count, newest.Distinct().Count());
        Assert.DoesNotContain("第1个问题是什么？", newest);
    }
}
