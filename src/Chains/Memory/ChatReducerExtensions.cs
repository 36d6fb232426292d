using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>Composes chat reducers.</summary>
public static class ChatReducerExtensions
{
    /// <summary>Runs <paramref name="next"/> on what <paramref name="first"/> keeps, e.g.
    /// <c>new WindowChatReducer(20).Then(memory).Then(budget)</c>: window the history, recall long-term memories, then
    /// enforce the token budget on the result.</summary>
    /// <param name="first">The first reducer.</param>
    /// <param name="next">The reducer applied to the first one's result.</param>
    /// <returns>The combined reducer; it forwards completed turns to each reducer that is an <see cref="IChatTurnObserver"/>, in order.</returns>
    /// <exception cref="ArgumentNullException">A reducer is <see langword="null"/>.</exception>
    public static IChatReducer Then(this IChatReducer first, IChatReducer next)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(next);
        return new ChainedChatReducer(first, next);
    }

    private sealed class ChainedChatReducer(IChatReducer first, IChatReducer next) : IChatReducer, IChatTurnObserver
    {
        public async Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
            => await next.ReduceAsync(await first.ReduceAsync(messages, cancellationToken), cancellationToken);

        public async Task OnTurnCompletedAsync(ChatTurn turn, CancellationToken cancellationToken = default)
        {
            if (first is IChatTurnObserver a)
            {
                await a.OnTurnCompletedAsync(turn, cancellationToken);
            }

            if (next is IChatTurnObserver b)
            {
                await b.OnTurnCompletedAsync(turn, cancellationToken);
            }
        }
    }
}
