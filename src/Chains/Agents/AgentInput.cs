using Microsoft.Extensions.AI;

namespace Chains.Agents;

/// <summary>
/// What an agent run starts from: the new messages of this turn (usually one user message) and, optionally, the
/// conversation so far (loaded from memory). A string converts implicitly, so <c>agent.InvokeAsync("question")</c> works.
/// </summary>
public sealed record AgentInput
{
    /// <summary>Initializes a new input holding one user message.</summary>
    /// <param name="text">The user's message.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public AgentInput(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Messages = [new ChatMessage(ChatRole.User, text)];
    }

    /// <summary>Initializes a new input from messages.</summary>
    /// <param name="messages">The new messages of this turn, in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/> or holds <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="messages"/> is empty.</exception>
    public AgentInput(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("An agent input needs at least one message.", nameof(messages));
        }

        foreach (var message in list)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
        }

        Messages = list;
    }

    /// <summary>Gets the new messages of this turn; they are sent after <see cref="History"/>.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets the earlier conversation (e.g. loaded from a chat history store), sent before
    /// <see cref="Messages"/> and after the executor's instructions; <see langword="null"/> for none.</summary>
    public IReadOnlyList<ChatMessage>? History { get; init; }

    /// <summary>Converts text into an input holding one user message.</summary>
    /// <param name="text">The user's message.</param>
    public static implicit operator AgentInput(string text) => new(text);

    /// <summary>Creates an input holding one user message.</summary>
    /// <param name="text">The user's message.</param>
    /// <returns>The input.</returns>
    public static AgentInput FromText(string text) => new(text);
}
