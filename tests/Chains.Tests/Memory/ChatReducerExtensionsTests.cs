using Chains.Memory;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Memory;

public sealed class ChatReducerExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Then_TwoReducers_RunsTheSecondOnTheFirstOnesResult()
    {
        var first = new RecordingReducer(messages => messages.Skip(1));
        var second = new RecordingReducer(messages => messages.Take(1));
        List<ChatMessage> messages = [new(ChatRole.User, "a"), new(ChatRole.User, "b"), new(ChatRole.User, "c")];

        var reduced = await first.Then(second).ReduceAsync(messages, Ct);

        Assert.Equal(["b"], reduced.Select(m => m.Text));
        Assert.Equal(["b", "c"], second.Seen!.Select(m => m.Text));
    }

    [Fact]
    public async Task Then_Observers_AreToldAboutTheTurnInOrder()
    {
        var order = new List<string>();
        var first = new RecordingReducer(m => m) { OnTurn = t => order.Add("first " + t.SessionId) };
        var plain = new WindowChatReducer(3);
        var third = new RecordingReducer(m => m) { OnTurn = t => order.Add("third " + t.SessionId) };
        var combined = first.Then(plain).Then(third);

        await ((IChatTurnObserver)combined).OnTurnCompletedAsync(new ChatTurn("s1", [new ChatMessage(ChatRole.User, "q")], []), Ct);

        Assert.Equal(["first s1", "third s1"], order);
    }

    [Fact]
    public void Then_NullReducer_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ChatReducerExtensions.Then(null!, new WindowChatReducer(1)));
        Assert.Throws<ArgumentNullException>(() => new WindowChatReducer(1).Then(null!));
    }

    private sealed class RecordingReducer(Func<IEnumerable<ChatMessage>, IEnumerable<ChatMessage>> reduce) : IChatReducer, IChatTurnObserver
    {
        public List<ChatMessage>? Seen { get; private set; }

        public Action<ChatTurn>? OnTurn { get; init; }

        public Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
        {
            Seen = messages.ToList();
            return Task.FromResult<IEnumerable<ChatMessage>>(reduce(Seen).ToList());
        }

        public Task OnTurnCompletedAsync(ChatTurn turn, CancellationToken cancellationToken = default)
        {
            OnTurn?.Invoke(turn);
            return Task.CompletedTask;
        }
    }
}
