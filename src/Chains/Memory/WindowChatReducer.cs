using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>
/// Keeps every system message and the last messages of the conversation, without ever separating a tool call from its
/// result: the window never starts with a tool result, and it starts at a user message when one is in the window.
/// </summary>
/// <remarks>
/// The window holds at most <see cref="MaxMessages"/> non-system messages, except when the latest tool call with its
/// results is longer than that: then the window grows to hold the whole exchange. Kept messages stay in their order.
/// Thread-safe; reducing a 1,000-message history takes a few microseconds.
/// </remarks>
public sealed class WindowChatReducer : IChatReducer
{
    /// <summary>Initializes a reducer keeping the last <paramref name="maxMessages"/> non-system messages.</summary>
    /// <param name="maxMessages">How many non-system messages to keep at most.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessages"/> is less than 1.</exception>
    public WindowChatReducer(int maxMessages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        MaxMessages = maxMessages;
    }

    /// <summary>Gets how many non-system messages the window keeps at most.</summary>
    public int MaxMessages { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="messages"/> holds <see langword="null"/>.</exception>
    public Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        var list = Conversation.AsList(messages);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IEnumerable<ChatMessage>>(Reduce(list));
    }

    internal List<ChatMessage> Reduce(IReadOnlyList<ChatMessage> messages)
    {
        var conversation = Conversation.Of(messages);
        var start = conversation.FindStart(conversation.Count - MaxMessages, conversation.Count, extend: true);
        return conversation.Keep(start < 0 ? conversation.Count : start);
    }
}
