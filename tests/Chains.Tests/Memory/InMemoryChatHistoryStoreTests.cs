using Chains.Memory;
using Chains.Testing.Memory;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Memory;

public sealed class InMemoryChatHistoryStoreTests : ChatHistoryStoreContractTests
{
    private readonly InMemoryChatHistoryStore _store = new();

    protected override IChatHistoryStore CreateStore() => _store;

    [Fact]
    public async Task AppendAsync_Message_KeepsTheSameInstance()
    {
        var message = new ChatMessage(ChatRole.User, "kept by reference");

        await _store.AppendAsync("s1", [message], Ct);

        Assert.Same(message, Assert.Single(await _store.LoadAsync("s1", Ct)));
    }

    [Fact]
    public async Task ClearAsync_WhileAppending_NeverLosesAnAppendMadeAfterTheClear()
    {
        for (var round = 0; round < 50; round++)
        {
            var session = $"race{round}";
            await _store.AppendAsync(session, [new ChatMessage(ChatRole.User, "before")], Ct);
            var clear = Task.Run(() => _store.ClearAsync(session, Ct), Ct);
            var append = Task.Run(() => _store.AppendAsync(session, [new ChatMessage(ChatRole.User, "after")], Ct), Ct);
            await Task.WhenAll(clear, append);

            var texts = (await _store.LoadAsync(session, Ct)).Select(m => m.Text).ToList();

            // Either order is fine, but the append is never swallowed by a list the clear already removed.
            Assert.True(texts is ["after"] || texts is ["before", "after"] || texts.Count == 0, string.Join(",", texts));
            if (texts.Count == 0)
            {
                // The clear ran last: appending again must work.
                await _store.AppendAsync(session, [new ChatMessage(ChatRole.User, "again")], Ct);
                Assert.Equal(["again"], (await _store.LoadAsync(session, Ct)).Select(m => m.Text));
            }
        }
    }
}
