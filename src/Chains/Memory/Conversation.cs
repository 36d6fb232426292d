using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>
/// The non-system messages of a prompt and where they may be cut: a cut (the first kept message) is valid when it does
/// not start with a tool result and no kept tool result loses the message that made its call.
/// </summary>
/// <remarks>Results whose call is absent from the messages altogether (already orphaned by the caller) do not constrain
/// the cut; they are never moved to the start, though.</remarks>
internal sealed class Conversation
{
    private readonly IReadOnlyList<ChatMessage> _messages;
    private readonly int[] _positions;

    // Per conversation index: the smallest index of a call answered at or after it (int.MaxValue if none), and whether
    // the message carries a tool result. Null when the conversation has no tool results at all.
    private readonly int[]? _firstCall;
    private readonly bool[]? _hasResult;

    private Conversation(IReadOnlyList<ChatMessage> messages, int[] positions, int count, int[]? firstCall, bool[]? hasResult)
    {
        _messages = messages;
        _positions = positions;
        Count = count;
        _firstCall = firstCall;
        _hasResult = hasResult;
    }

    /// <summary>Gets the number of non-system messages.</summary>
    public int Count { get; }

    /// <summary>Gets all the messages, system ones included.</summary>
    public IReadOnlyList<ChatMessage> Messages => _messages;

    public static Conversation Of(IReadOnlyList<ChatMessage> messages)
    {
        var positions = new int[messages.Count];
        var count = 0;
        Dictionary<string, int>? calls = null;
        var anyResult = false;
        for (var p = 0; p < messages.Count; p++)
        {
            var message = messages[p] ?? throw new ArgumentException($"Message {p} is null.", nameof(messages));
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            var contents = message.Contents;
            for (var c = 0; c < contents.Count; c++)
            {
                if (contents[c] is FunctionCallContent call)
                {
                    (calls ??= new Dictionary<string, int>(StringComparer.Ordinal))[call.CallId] = count;
                }
                else if (contents[c] is FunctionResultContent)
                {
                    anyResult = true;
                }
            }

            positions[count++] = p;
        }

        if (!anyResult)
        {
            return new Conversation(messages, positions, count, null, null);
        }

        var firstCall = new int[count];
        var hasResult = new bool[count];
        var min = int.MaxValue;
        for (var i = count - 1; i >= 0; i--)
        {
            var contents = messages[positions[i]].Contents;
            for (var c = 0; c < contents.Count; c++)
            {
                if (contents[c] is FunctionResultContent result)
                {
                    hasResult[i] = true;
                    if (calls is not null && calls.TryGetValue(result.CallId, out var callIndex) && callIndex < min)
                    {
                        min = callIndex;
                    }
                }
            }

            firstCall[i] = min;
        }

        return new Conversation(messages, positions, count, firstCall, hasResult);
    }

    /// <summary>Gets a non-system message by its conversation index.</summary>
    public ChatMessage this[int index] => _messages[_positions[index]];

    /// <summary>Gets whether the conversation may start at <paramref name="index"/> (<see cref="Count"/>: keep none).</summary>
    public bool IsValidStart(int index)
        => index >= Count || _hasResult is null || (!_hasResult[index] && _firstCall![index] >= index);

    /// <summary>Finds where to start: the first valid start in [<paramref name="from"/>, <paramref name="to"/>) that is
    /// a user message, else the first valid start there, else (when <paramref name="extend"/>) the last valid start
    /// before <paramref name="from"/>; -1 when there is none.</summary>
    public int FindStart(int from, int to, bool extend)
    {
        from = Math.Max(from, 0);
        for (var i = from; i < to; i++)
        {
            if (this[i].Role == ChatRole.User && IsValidStart(i))
            {
                return i;
            }
        }

        for (var i = from; i < to; i++)
        {
            if (IsValidStart(i))
            {
                return i;
            }
        }

        if (extend)
        {
            for (var i = Math.Min(from, Count) - 1; i >= 0; i--)
            {
                if (IsValidStart(i))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    /// <summary>Keeps every system message and the conversation from <paramref name="start"/> on, in their original order.</summary>
    public List<ChatMessage> Keep(int start)
    {
        var from = start >= Count ? _messages.Count : _positions[start];
        var kept = new List<ChatMessage>(_messages.Count - from + 4);
        for (var p = 0; p < from; p++)
        {
            if (_messages[p].Role == ChatRole.System)
            {
                kept.Add(_messages[p]);
            }
        }

        for (var p = from; p < _messages.Count; p++)
        {
            kept.Add(_messages[p]);
        }

        return kept;
    }

    /// <summary>Gets the conversation index of the last user message, or -1.</summary>
    public int LastUserIndex()
    {
        for (var i = Count - 1; i >= 0; i--)
        {
            if (this[i].Role == ChatRole.User)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Copies the messages into a list when they are not one already.</summary>
    public static IReadOnlyList<ChatMessage> AsList(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
    }
}
