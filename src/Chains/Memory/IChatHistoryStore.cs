using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>
/// Keeps the messages of chat sessions, each an append-only log addressed by a session id: the in-memory and file stores
/// here, PostgreSQL in <c>Chains.Pgvector</c>. Every implementation passes the same contract test suite.
/// </summary>
/// <remarks>
/// <para>One <see cref="AppendAsync"/> is atomic: after a crash or a failure either all of its messages are in the log or
/// none are, and concurrent appends to one session never interleave or lose messages.</para>
/// <para>Messages come back as they went in, with every content type Microsoft.Extensions.AI uses in chats (text,
/// reasoning, function calls and results, data, URIs, usage, errors) and their additional properties. Stores that
/// serialise use <see cref="AIJsonUtilities.DefaultOptions"/>, so values of <c>object</c>-typed members (function
/// arguments and results, additional properties) come back as <see cref="System.Text.Json.JsonElement"/>.</para>
/// </remarks>
public interface IChatHistoryStore
{
    /// <summary>Reads the messages of a session, oldest first.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">A token that cancels the read.</param>
    /// <returns>The messages; empty for a session that has none. The list is a snapshot: later appends do not change it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sessionId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is empty, whitespace or not valid for this store.</exception>
    Task<IReadOnlyList<ChatMessage>> LoadAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Adds messages to the end of a session, all of them or none.</summary>
    /// <param name="sessionId">The session; it is created by its first append.</param>
    /// <param name="messages">The messages, in order. An empty list stores nothing.</param>
    /// <param name="cancellationToken">A token that cancels the write; once the write has started it completes.</param>
    /// <returns>A task that completes when the messages are stored (for durable stores: on disk).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sessionId"/> or <paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is not valid, or <paramref name="messages"/> holds <see langword="null"/>.</exception>
    Task AppendAsync(string sessionId, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Removes every message of a session.</summary>
    /// <param name="sessionId">The session; clearing one that has no messages does nothing.</param>
    /// <param name="cancellationToken">A token that cancels the operation.</param>
    /// <returns>A task that completes when the session is empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sessionId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is empty, whitespace or not valid for this store.</exception>
    Task ClearAsync(string sessionId, CancellationToken cancellationToken = default);
}
