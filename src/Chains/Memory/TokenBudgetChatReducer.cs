using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>
/// Fits a prompt into a token budget counted exactly with the model's tokenizer: system messages, tool definitions,
/// reserved tokens and the newest messages are counted, and the oldest messages are dropped first.
/// </summary>
/// <remarks>
/// <para>System messages are always kept. A tool call is never separated from its results, the kept conversation never
/// starts with a tool result, and it starts at a user message when that fits. Messages are counted newest first and only
/// until the budget is spent, so a long history costs no more than what is kept; counts are remembered per message
/// instance (while its contents stay the same), so reducing the same messages again costs no tokenizing.</para>
/// <para>When even the fixed part plus the latest message (with its tool call) exceeds the budget,
/// <see cref="ReduceAsync"/> throws <see cref="TokenBudgetExceededException"/>.</para>
/// </remarks>
public sealed class TokenBudgetChatReducer : IChatReducer
{
    private readonly ITokenCounter _counter;
    private readonly int _fixedTokens;

    // Counts per message instance, so reducing the same messages again (each step of a tool loop, an in-memory history)
    // does not tokenize them again. An entry is used only while the message's contents look unchanged.
    private readonly ConditionalWeakTable<ChatMessage, CountedMessage> _counts = new();

    /// <summary>Initializes a reducer with a budget.</summary>
    /// <param name="counter">Counts tokens like the model (see <see cref="TokenCounter"/>).</param>
    /// <param name="maxTokens">The budget for the whole prompt.</param>
    /// <param name="options">Tools and reserved tokens; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="counter"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is less than 1.</exception>
    public TokenBudgetChatReducer(ITokenCounter counter, int maxTokens, TokenBudgetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        _counter = counter;
        MaxTokens = maxTokens;
        _fixedTokens = (options?.ReservedTokens ?? 0) + (options?.Tools is { Count: > 0 } tools ? counter.CountTokens(tools) : 0);
    }

    /// <summary>Gets the budget for the whole prompt, in tokens.</summary>
    public int MaxTokens { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="messages"/> holds <see langword="null"/>.</exception>
    /// <exception cref="TokenBudgetExceededException">The messages that cannot be dropped do not fit the budget.</exception>
    public Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        var list = Conversation.AsList(messages);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return Task.FromResult<IEnumerable<ChatMessage>>(Reduce(list));
        }
        catch (TokenBudgetExceededException ex)
        {
            return Task.FromException<IEnumerable<ChatMessage>>(ex);
        }
    }

    internal List<ChatMessage> Reduce(IReadOnlyList<ChatMessage> messages)
    {
        var conversation = Conversation.Of(messages);
        long used = _fixedTokens;
        for (var p = 0; p < messages.Count; p++)
        {
            if (messages[p].Role == ChatRole.System)
            {
                used += Count(messages[p]);
            }
        }

        // Take messages newest first while they fit, then move the cut forward to a valid start.
        var candidate = conversation.Count;
        while (candidate > 0 && used <= MaxTokens)
        {
            var cost = Count(conversation[candidate - 1]);
            if (used + cost > MaxTokens)
            {
                break;
            }

            used += cost;
            candidate--;
        }

        if (used > MaxTokens)
        {
            throw new TokenBudgetExceededException(MaxTokens, (int)Math.Min(int.MaxValue, used + MinimalTail(conversation)));
        }

        if (conversation.Count == 0)
        {
            return conversation.Keep(0);
        }

        var start = conversation.FindStart(candidate, conversation.Count, extend: false);
        if (start < 0)
        {
            throw new TokenBudgetExceededException(MaxTokens, (int)Math.Min(int.MaxValue, used - Tail(conversation, candidate) + MinimalTail(conversation)));
        }

        return conversation.Keep(start);
    }

    private int Count(ChatMessage message)
    {
        var stamp = Stamp(message);
        if (_counts.TryGetValue(message, out var cached) && cached.Stamp == stamp && ReferenceEquals(cached.Contents, message.Contents))
        {
            return cached.Tokens;
        }

        var tokens = _counter.CountTokens(message);
        _counts.AddOrUpdate(message, new CountedMessage(message.Contents, stamp, tokens));
        return tokens;
    }

    /// <summary>A cheap fingerprint of what a count depends on: role, author, the content objects and their texts.</summary>
    private static long Stamp(ChatMessage message)
    {
        var contents = message.Contents;
        long stamp = HashCode.Combine(message.Role, message.AuthorName?.Length ?? -1, contents.Count);
        for (var i = 0; i < contents.Count; i++)
        {
            stamp = (stamp * 31) + contents[i] switch
            {
                TextContent text => HashCode.Combine(RuntimeHelpers.GetHashCode(text.Text), text.Text?.Length),
                TextReasoningContent reasoning => HashCode.Combine(RuntimeHelpers.GetHashCode(reasoning.Text), reasoning.Text?.Length),
                var other => RuntimeHelpers.GetHashCode(other),
            };
        }

        return stamp;
    }

    /// <summary>Counts the smallest valid tail: the latest message with the tool call it answers.</summary>
    private long MinimalTail(Conversation conversation)
    {
        var start = conversation.FindStart(conversation.Count - 1, conversation.Count, extend: true);
        return start < 0 ? 0 : Tail(conversation, start);
    }

    private long Tail(Conversation conversation, int start)
    {
        long total = 0;
        for (var i = start; i < conversation.Count; i++)
        {
            total += Count(conversation[i]);
        }

        return total;
    }

    private sealed record CountedMessage(IList<AIContent> Contents, long Stamp, int Tokens);
}
