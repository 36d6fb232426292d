using Microsoft.Extensions.AI;

namespace Chains.Prompts;

/// <summary>
/// The output of a prompt template and the input of a chat model step: either plain text (sent as one user message) or
/// a list of chat messages.
/// </summary>
/// <remarks>Strings, <see cref="ChatMessage"/> arrays and lists convert implicitly, so
/// <c>model.InvokeAsync("Hello")</c> and <c>model.InvokeAsync(messages)</c> both work.</remarks>
public sealed class PromptValue
{
    private readonly string? _text;
    private IReadOnlyList<ChatMessage>? _messages;

    private PromptValue(string? text, IReadOnlyList<ChatMessage>? messages)
    {
        _text = text;
        _messages = messages;
    }

    /// <summary>Gets a value indicating whether the prompt is plain text rather than a message list.</summary>
    public bool IsText => _text is not null;

    /// <summary>Gets the prompt as chat messages (plain text becomes one user message).</summary>
    public IReadOnlyList<ChatMessage> Messages => _messages ??= [new ChatMessage(ChatRole.User, _text)];

    /// <summary>Creates a text prompt.</summary>
    /// <param name="text">The prompt text.</param>
    /// <returns>The prompt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static PromptValue FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new PromptValue(text, null);
    }

    /// <summary>Creates a chat prompt from messages.</summary>
    /// <param name="messages">The messages, in order.</param>
    /// <returns>The prompt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/> or holds <see langword="null"/>.</exception>
    public static PromptValue FromMessages(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToArray();
        foreach (var message in list)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
        }

        return new PromptValue(null, list);
    }

    /// <summary>Converts text to a prompt.</summary>
    /// <param name="text">The prompt text.</param>
    public static implicit operator PromptValue(string text) => FromText(text);

    /// <summary>Converts messages to a prompt.</summary>
    /// <param name="messages">The messages.</param>
    public static implicit operator PromptValue(ChatMessage[] messages) => FromMessages(messages);

    /// <summary>Converts messages to a prompt.</summary>
    /// <param name="messages">The messages.</param>
    public static implicit operator PromptValue(List<ChatMessage> messages) => FromMessages(messages);

    /// <summary>Gets the prompt as text: the text itself, or each message as <c>role: text</c> on its own line.</summary>
    /// <returns>The prompt text.</returns>
    public override string ToString()
        => _text ?? string.Join('\n', Messages.Select(m => $"{m.Role}: {m.Text}"));

    internal static PromptValue FromOwnedMessages(ChatMessage[] messages) => new(null, messages);

    internal static PromptValue FromTrustedText(string text) => new(text, null);
}
