namespace Chains.Memory;

/// <summary>
/// Learns from completed turns. A reducer given to <c>WithHistory</c> that also implements this interface (such as
/// <see cref="VectorMemoryChatReducer"/>, or a chain of reducers made with <see cref="ChatReducerExtensions.Then"/>) is
/// told about every turn that succeeded, just before the turn is stored.
/// </summary>
public interface IChatTurnObserver
{
    /// <summary>Handles a completed turn. A failure fails the turn, which is then not stored.</summary>
    /// <param name="turn">The session, the new messages and the model's reply.</param>
    /// <param name="cancellationToken">A token that cancels the work.</param>
    /// <returns>A task that completes when the turn is handled.</returns>
    Task OnTurnCompletedAsync(ChatTurn turn, CancellationToken cancellationToken = default);
}
