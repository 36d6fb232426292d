using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>
/// Summary records in a chat history: system messages marked with <see cref="SummaryBufferChatReducer.SummaryPropertyName"/>,
/// whose value is how many non-system messages, counted from the start of the stored history, the summary replaces.
/// Stores keep them like any message (append-only); loading for a prompt keeps the record that covers the most and
/// drops what it covers.
/// </summary>
internal static class ChatSummary
{
    private const string Prefix = "Summary of the earlier conversation:\n";

    public static ChatMessage Create(string summary, int covers)
        => new(ChatRole.System, Prefix + summary)
        {
            AdditionalProperties = new() { [SummaryBufferChatReducer.SummaryPropertyName] = covers },
        };

    public static bool TryGetCovers(ChatMessage message, out int covers)
    {
        covers = 0;
        return message.Role == ChatRole.System
            && ChatJson.TryGetInt32(message.AdditionalProperties, SummaryBufferChatReducer.SummaryPropertyName, out covers);
    }

    /// <summary>Gets the summary's text without the heading the prompt shows.</summary>
    public static string GetText(ChatMessage message)
    {
        var text = message.Text;
        return text.StartsWith(Prefix, StringComparison.Ordinal) ? text[Prefix.Length..] : text;
    }

    /// <summary>Turns a stored log into the history a prompt needs: the summary that covers the most, then the messages
    /// it does not cover. Returns the log itself when it holds no summary.</summary>
    public static IReadOnlyList<ChatMessage> Compact(IReadOnlyList<ChatMessage> log, out int covers)
    {
        covers = 0;
        ChatMessage? best = null;
        for (var i = 0; i < log.Count; i++)
        {
            if (TryGetCovers(log[i], out var c) && (best is null || c >= covers))
            {
                best = log[i];
                covers = c;
            }
        }

        if (best is null)
        {
            return log;
        }

        var history = new List<ChatMessage>(log.Count) { best };
        var seen = 0;
        for (var i = 0; i < log.Count; i++)
        {
            if (TryGetCovers(log[i], out _))
            {
                continue;
            }

            if (log[i].Role == ChatRole.System || seen++ >= covers)
            {
                history.Add(log[i]);
            }
        }

        return history;
    }
}
