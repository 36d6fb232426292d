using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LLama;
using LLama.Exceptions;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Chat;

/// <summary>
/// Renders a conversation into the model's prompt with llama.cpp's own template engine
/// (<c>llama_chat_apply_template</c>, via <see cref="LLamaTemplate"/>) applied to the GGUF's <c>tokenizer.chat_template</c>,
/// falling back to ChatML when the model has no template llama.cpp recognises. Every role is rendered: tool calls
/// become <c>&lt;tool_call&gt;</c> blocks in the assistant turn and tool results <c>&lt;tool_response&gt;</c> blocks in a
/// <c>tool</c> turn (the Hermes/Qwen convention most open tool-calling models are trained on).
/// </summary>
internal sealed class PromptRenderer
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    private readonly string? _template;
    private bool _useChatMl;

    public PromptRenderer(string? template)
    {
        _template = template;
        _useChatMl = string.IsNullOrEmpty(template);
    }

    /// <summary>Gets whether the renderer fell back to ChatML.</summary>
    public bool UsesChatMlFallback => _useChatMl;

    /// <summary>Renders the conversation, ending with the opening of the assistant's turn.</summary>
    public string Render(IEnumerable<ChatMessage> messages, ChatOptions? options, IReadOnlyList<AIFunctionDeclaration> tools)
        => RenderTurns(BuildTurns(messages, options, tools), addAssistant: true);

    /// <summary>Renders turns, optionally followed by the opening of the assistant's turn.</summary>
    public string RenderTurns(IReadOnlyList<(string Role, string Content)> turns, bool addAssistant)
    {
        if (!_useChatMl)
        {
            try
            {
                var template = new LLamaTemplate(_template) { AddAssistant = addAssistant };
                foreach (var (role, content) in turns)
                {
                    template.Add(role, content);
                }

                return Encoding.UTF8.GetString(template.Apply());
            }
            catch (MissingTemplateException)
            {
                _useChatMl = true;
            }
        }

        return RenderChatMl(turns, addAssistant);
    }

    /// <summary>Renders turns as ChatML (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>).</summary>
    internal static string RenderChatMl(IReadOnlyList<(string Role, string Content)> turns, bool addAssistant)
    {
        var sb = new StringBuilder();
        foreach (var (role, content) in turns)
        {
            sb.Append("<|im_start|>").Append(role).Append('\n').Append(content).Append("<|im_end|>\n");
        }

        return addAssistant ? sb.Append("<|im_start|>assistant\n").ToString() : sb.ToString();
    }

    internal static List<(string Role, string Content)> BuildTurns(IEnumerable<ChatMessage> messages, ChatOptions? options, IReadOnlyList<AIFunctionDeclaration> tools)
    {
        var turns = new List<(string Role, string Content)>();
        var system = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(options?.Instructions))
        {
            system.Append(options.Instructions);
        }

        var leading = true;
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message);
            if (leading && message.Role == ChatRole.System)
            {
                AppendParagraph(system, message.Text);
                continue;
            }

            leading = false;
            if (message.Role == ChatRole.Tool)
            {
                foreach (var content in message.Contents)
                {
                    if (content is FunctionResultContent result)
                    {
                        turns.Add(("tool", ToolCalls.FormatResult(result)));
                    }
                    else if (content is TextContent { Text.Length: > 0 } text)
                    {
                        turns.Add(("tool", text.Text));
                    }
                }

                continue;
            }

            turns.Add((message.Role.Value, ContentText(message)));
        }

        var extra = SystemAdditions(options, tools);
        if (extra.Length > 0)
        {
            AppendParagraph(system, extra);
        }

        if (system.Length > 0)
        {
            turns.Insert(0, ("system", system.ToString()));
        }

        return turns;
    }

    private static string ContentText(ChatMessage message)
    {
        var sb = new StringBuilder();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent text:
                    sb.Append(text.Text);
                    break;
                case FunctionCallContent call:
                    if (sb.Length > 0 && sb[^1] != '\n')
                    {
                        sb.Append('\n');
                    }

                    sb.Append(ToolCalls.FormatCall(call));
                    break;
                case FunctionResultContent result:
                    sb.Append(ToolCalls.FormatResult(result));
                    break;
                case DataContent data when !data.HasTopLevelMediaType("text"):
                    throw new NotSupportedException($"This model takes text only; the message has {data.MediaType} content.");
                case DataContent data:
                    sb.Append(Encoding.UTF8.GetString(data.Data.Span));
                    break;
                default:
                    // Reasoning, usage and other annotations are not part of the prompt.
                    break;
            }
        }

        return sb.ToString();
    }

    private static string SystemAdditions(ChatOptions? options, IReadOnlyList<AIFunctionDeclaration> tools)
    {
        var sb = new StringBuilder();
        if (tools.Count > 0)
        {
            sb.Append(ToolCalls.Instructions(tools));
        }

        if (options?.ResponseFormat is ChatResponseFormatJson json)
        {
            if (sb.Length > 0)
            {
                sb.Append("\n\n");
            }

            if (json.Schema is { } schema)
            {
                sb.Append("Respond with a JSON value that matches this JSON schema:\n").Append(schema.GetRawText());
            }
            else
            {
                sb.Append("Respond with a JSON object.");
            }
        }

        return sb.ToString();
    }

    private static void AppendParagraph(StringBuilder sb, string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        if (sb.Length > 0)
        {
            sb.Append("\n\n");
        }

        sb.Append(text);
    }
}
