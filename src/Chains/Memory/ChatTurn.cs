using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>One completed exchange of a chat session: the messages the caller added and the model's reply.</summary>
public readonly struct ChatTurn
{
    /// <summary>Initializes a turn.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="request">The messages the caller added (without the system instructions).</param>
    /// <param name="response">The reply's messages (tool calls and results included).</param>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is empty or whitespace.</exception>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public ChatTurn(string sessionId, IReadOnlyList<ChatMessage> request, IReadOnlyList<ChatMessage> response)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        SessionId = sessionId;
        Request = request;
        Response = response;
    }

    /// <summary>Gets the session.</summary>
    public string SessionId { get; }

    /// <summary>Gets the messages the caller added, without the system instructions.</summary>
    public IReadOnlyList<ChatMessage> Request { get; }

    /// <summary>Gets the reply's messages, tool calls and results included.</summary>
    public IReadOnlyList<ChatMessage> Response { get; }
}
