using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>
/// A chat history store in process memory, for tests, samples and single-process apps whose history may be lost on
/// restart. Thread-safe; messages are kept by reference, so do not change a message after appending it.
/// </summary>
public sealed class InMemoryChatHistoryStore : IChatHistoryStore
{
    private readonly ConcurrentDictionary<string, List<ChatMessage>> _sessions = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<IReadOnlyList<ChatMessage>> LoadAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_sessions.TryGetValue(sessionId, out var log))
        {
            return Task.FromResult<IReadOnlyList<ChatMessage>>([]);
        }

        lock (log)
        {
            return Task.FromResult<IReadOnlyList<ChatMessage>>(log.ToArray());
        }
    }

    /// <inheritdoc />
    public Task AppendAsync(string sessionId, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        var batch = ChatHistoryArguments.ToBatch(messages);
        cancellationToken.ThrowIfCancellationRequested();
        if (batch.Length == 0)
        {
            return Task.CompletedTask;
        }

        while (true)
        {
            var log = _sessions.GetOrAdd(sessionId, static _ => []);
            lock (log)
            {
                // A concurrent clear may have removed this list; append to the live one.
                if (_sessions.TryGetValue(sessionId, out var live) && ReferenceEquals(live, log))
                {
                    log.AddRange(batch);
                    return Task.CompletedTask;
                }
            }
        }
    }

    /// <inheritdoc />
    public Task ClearAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        if (_sessions.TryGetValue(sessionId, out var log))
        {
            lock (log)
            {
                _sessions.TryRemove(new KeyValuePair<string, List<ChatMessage>>(sessionId, log));
            }
        }

        return Task.CompletedTask;
    }
}
