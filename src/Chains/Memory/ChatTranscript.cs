using System.Text;
using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>Renders messages as plain transcript lines for summaries and long-term memory.</summary>
internal static class ChatTranscript
{
    /// <summary>Appends <c>Role: text</c> for the message, with tool calls and results in brackets; returns whether
    /// anything was written.</summary>
    public static bool Append(StringBuilder builder, ChatMessage message)
    {
        var start = builder.Length;
        var label = message.Role == ChatRole.User ? "User"
            : message.Role == ChatRole.Assistant ? "Assistant"
            : message.Role == ChatRole.System ? "System"
            : message.Role == ChatRole.Tool ? "Tool"
            : message.Role.Value;
        builder.Append(label);
        if (!string.IsNullOrEmpty(message.AuthorName))
        {
            builder.Append(" (").Append(message.AuthorName).Append(')');
        }

        builder.Append(':');
        var any = false;
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    builder.Append(' ').Append(text.Text);
                    any = true;
                    break;
                case FunctionCallContent call:
                    builder.Append(" [call ").Append(call.Name).Append('(').Append(ChatJson.ToText(call.Arguments)).Append(")]");
                    any = true;
                    break;
                case FunctionResultContent result:
                    builder.Append(" [result ").Append(ChatJson.ToText(result.Result)).Append(']');
                    any = true;
                    break;
                case DataContent data:
                    builder.Append(" [").Append(data.MediaType).Append(data.Name is null ? "" : " " + data.Name).Append(']');
                    any = true;
                    break;
                case UriContent uri:
                    builder.Append(" [").Append(uri.MediaType).Append(' ').Append(uri.Uri).Append(']');
                    any = true;
                    break;
            }
        }

        if (!any)
        {
            builder.Length = start;
            return false;
        }

        builder.Append('\n');
        return true;
    }

    /// <summary>Renders the messages, one line each (messages without text or tool activity are left out).</summary>
    public static string Format(IEnumerable<ChatMessage> messages)
    {
        var builder = new StringBuilder();
        foreach (var message in messages)
        {
            Append(builder, message);
        }

        return builder.ToString().TrimEnd('\n');
    }
}
