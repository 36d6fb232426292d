using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Chains.Agents;

/// <summary>
/// Gives tool calling to models that have none, through the ReAct text protocol: the tools in
/// <see cref="ChatOptions.Tools"/> are described in the system message, the model answers with
/// <c>Thought:</c> / <c>Action:</c> / <c>Action Input:</c> or <c>Final Answer:</c>, and this client turns that text into
/// <see cref="FunctionCallContent"/> (thoughts become <see cref="TextReasoningContent"/>, the final answer
/// <see cref="TextContent"/>). Tool results in the conversation are sent back as <c>Observation:</c> messages. Any
/// tool-calling loop — <see cref="AgentExecutor"/>, or M.E.AI's <c>FunctionInvokingChatClient</c> — then works unchanged.
/// </summary>
/// <remarks>
/// <para>The parser is tolerant: labels in any case, with markdown emphasis or bullets; quoted or bracketed tool names;
/// fenced JSON, JSON followed by chatter, or a bare value for a one-parameter tool; LangChain's JSON blob
/// (<c>{"action": ..., "action_input": ...}</c>); a hallucinated <c>Observation:</c> and what follows is dropped. A reply it
/// cannot read becomes a call whose <see cref="FunctionCallContent.Exception"/> explains the expected format. <see cref="AgentExecutor"/> sends that
/// explanation back to the model as the observation and counts the round as an error.</para>
/// <para>Requests without tools pass through unchanged. Streaming streams thoughts as reasoning and the final answer as
/// text while they arrive; an action is reported when the reply is complete.</para>
/// </remarks>
/// <param name="innerClient">The model, which receives no tools, only text.</param>
public sealed class ReActChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    internal const string FormatErrorName = "react_format_error";
    private const string RawTextKey = "chains.react.text";

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (Declarations(options) is not { } tools)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }

        var (prompt, innerOptions, callNumber) = Prepare(messages, options!, tools);
        var response = await base.GetResponseAsync(prompt, innerOptions, cancellationToken);
        var text = response.Text;
        var step = ReActParser.Parse(text, tools);
        var message = new ChatMessage(ChatRole.Assistant, ToContents(step, callNumber))
        {
            MessageId = response.Messages.LastOrDefault()?.MessageId,
            AdditionalProperties = new AdditionalPropertiesDictionary { [RawTextKey] = text },
        };
        return new ChatResponse(message)
        {
            ResponseId = response.ResponseId,
            ModelId = response.ModelId,
            CreatedAt = response.CreatedAt,
            FinishReason = step.Kind == ReActStepKind.FinalAnswer ? response.FinishReason ?? ChatFinishReason.Stop : ChatFinishReason.ToolCalls,
            Usage = response.Usage,
            AdditionalProperties = response.AdditionalProperties,
            RawRepresentation = response,
        };
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (Declarations(options) is not { } tools)
        {
            return base.GetStreamingResponseAsync(messages, options, cancellationToken);
        }

        var (prompt, innerOptions, callNumber) = Prepare(messages, options!, tools);
        return StreamAsync(prompt, innerOptions, tools, callNumber, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(List<ChatMessage> prompt, ChatOptions options, Dictionary<string, AIFunctionDeclaration> tools, int callNumber, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var splitter = new StreamSplitter();
        ChatResponseUpdate? last = null;
        await foreach (var update in base.GetStreamingResponseAsync(prompt, options, cancellationToken).WithCancellation(cancellationToken))
        {
            last = update;
            List<AIContent>? contents = null;
            foreach (var content in update.Contents)
            {
                if (content is TextContent text)
                {
                    splitter.Append(text.Text, ref contents);
                }
                else
                {
                    (contents ??= []).Add(content);
                }
            }

            if (contents is not null)
            {
                yield return Derive(update, contents, null);
            }
        }

        var raw = splitter.Text;
        var step = ReActParser.Parse(raw, tools);
        var tail = new List<AIContent>();
        if (step.Kind == ReActStepKind.FinalAnswer)
        {
            splitter.FinishAnswer(step.Answer ?? string.Empty, tail);
        }
        else
        {
            tail.AddRange(ToContents(step, callNumber).Where(c => c is not TextReasoningContent));
        }

        var final = Derive(last, tail, step.Kind == ReActStepKind.FinalAnswer ? last?.FinishReason ?? ChatFinishReason.Stop : ChatFinishReason.ToolCalls);
        final.AdditionalProperties = new AdditionalPropertiesDictionary { [RawTextKey] = raw };
        yield return final;
    }

    private static ChatResponseUpdate Derive(ChatResponseUpdate? source, IList<AIContent> contents, ChatFinishReason? finishReason) => new(ChatRole.Assistant, contents)
    {
        MessageId = source?.MessageId,
        ResponseId = source?.ResponseId,
        ModelId = source?.ModelId,
        CreatedAt = source?.CreatedAt,
        FinishReason = finishReason,
        RawRepresentation = source,
    };

    private static Dictionary<string, AIFunctionDeclaration>? Declarations(ChatOptions? options)
    {
        if (options?.Tools is not { Count: > 0 } tools)
        {
            return null;
        }

        var declarations = new Dictionary<string, AIFunctionDeclaration>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            if (tool is AIFunctionDeclaration declaration)
            {
                declarations.TryAdd(declaration.Name, declaration);
            }
        }

        return declarations.Count == 0 ? null : declarations;
    }

    /// <summary>Builds the text-only conversation and options for the inner model.</summary>
    private static (List<ChatMessage> Prompt, ChatOptions Options, int CallNumber) Prepare(IEnumerable<ChatMessage> messages, ChatOptions options, Dictionary<string, AIFunctionDeclaration> tools)
    {
        var instructions = ReActParser.Instructions(tools.Values);
        var prompt = new List<ChatMessage>();
        var callNumber = 1;
        var first = true;
        foreach (var message in messages)
        {
            if (first)
            {
                first = false;
                if (message.Role == ChatRole.System)
                {
                    prompt.Add(new ChatMessage(ChatRole.System, message.Text + "\n\n" + instructions));
                    continue;
                }

                prompt.Add(new ChatMessage(ChatRole.System, instructions));
            }

            if (message.Contents.Any(c => c is FunctionCallContent))
            {
                callNumber += message.Contents.Count(c => c is FunctionCallContent);
                prompt.Add(new ChatMessage(ChatRole.Assistant, RenderAssistant(message)));
            }
            else if (message.Contents.Any(c => c is FunctionResultContent))
            {
                prompt.Add(new ChatMessage(ChatRole.User, RenderObservations(message)));
            }
            else
            {
                prompt.Add(message);
            }
        }

        if (first)
        {
            prompt.Add(new ChatMessage(ChatRole.System, instructions));
        }

        var innerOptions = options.Clone();
        innerOptions.Tools = null;
        innerOptions.ToolMode = null;
        innerOptions.AllowMultipleToolCalls = null;
        var stops = new List<string>(innerOptions.StopSequences ?? []);
        if (!stops.Contains("\nObservation:"))
        {
            stops.Add("\nObservation:");
        }

        innerOptions.StopSequences = stops;
        return (prompt, innerOptions, callNumber);
    }

    private static string RenderAssistant(ChatMessage message)
    {
        var builder = new StringBuilder();
        var thought = string.Concat(message.Contents.OfType<TextReasoningContent>().Select(r => r.Text)).Trim();
        foreach (var call in message.Contents.OfType<FunctionCallContent>())
        {
            if (call.Name == FormatErrorName && message.AdditionalProperties?.TryGetValue(RawTextKey, out var raw) == true && raw is string rawText)
            {
                // The model sees exactly what it wrote before it is told why that could not be read.
                return rawText;
            }

            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            if (thought.Length > 0)
            {
                builder.Append("Thought: ").Append(thought).Append('\n');
                thought = string.Empty;
            }

            builder.Append("Action: ").Append(call.Name).Append('\n');
            builder.Append("Action Input: ").Append(JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AgentEngine.CompactJson.GetTypeInfo(typeof(IDictionary<string, object?>))));
        }

        return builder.ToString();
    }

    private static string RenderObservations(ChatMessage message)
    {
        var builder = new StringBuilder();
        foreach (var result in message.Contents.OfType<FunctionResultContent>())
        {
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            builder.Append("Observation: ").Append(result.Result switch
            {
                null => "(no result)",
                string s => s,
                TextContent t => t.Text,
                JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
                var other => JsonSerializer.Serialize(other, AgentEngine.CompactJson.GetTypeInfo(other.GetType())),
            });
        }

        return builder.ToString();
    }

    private static List<AIContent> ToContents(ReActStep step, int callNumber)
    {
        var contents = new List<AIContent>(2);
        if (step.Thought.Length > 0)
        {
            contents.Add(new TextReasoningContent(step.Thought));
        }

        var callId = "react_" + callNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (step.Kind)
        {
            case ReActStepKind.FinalAnswer:
                contents.Add(new TextContent(step.Answer));
                break;
            case ReActStepKind.Action:
                contents.Add(new FunctionCallContent(callId, step.ToolName!, step.Arguments));
                break;
            default:
                contents.Add(new FunctionCallContent(callId, FormatErrorName) { Exception = new ReActFormatException(step.Error!) });
                break;
        }

        return contents;
    }

    /// <summary>Splits streamed text into reasoning (before the first label), answer text (after <c>Final Answer:</c>)
    /// and a held-back action (after <c>Action:</c>), without splitting a label that arrives in pieces.</summary>
    private sealed class StreamSplitter
    {
        private static readonly string[] Labels = ["final answer:", "action:", "action input:", "observation:"];
        private readonly StringBuilder _text = new();
        private int _emitted;
        private int _answerStart = -1;
        private bool _holding;

        public string Text => _text.ToString();

        public void Append(string delta, ref List<AIContent>? contents)
        {
            _text.Append(delta);
            if (_holding)
            {
                return;
            }

            var text = _text.ToString();
            if (_answerStart < 0)
            {
                var (labelStart, label) = FindLabel(text);
                if (labelStart < 0)
                {
                    var safe = SafeEnd(text);
                    if (safe > _emitted)
                    {
                        (contents ??= []).Add(new TextReasoningContent(text[_emitted..safe]));
                        _emitted = safe;
                    }

                    return;
                }

                if (labelStart > _emitted)
                {
                    (contents ??= []).Add(new TextReasoningContent(text[_emitted..labelStart]));
                }

                _emitted = labelStart;
                if (label != 0)
                {
                    // An action: nothing more streams; the call is reported when the reply is complete.
                    _holding = true;
                    return;
                }

                var colon = text.IndexOf(':', labelStart);
                var start = colon + 1;
                while (start < text.Length && text[start] == '*')
                {
                    start++;
                }

                _answerStart = start;
                _emitted = start;
            }

            if (_emitted == _answerStart)
            {
                // Skip the blank between the label and the answer.
                while (_emitted < text.Length && char.IsWhiteSpace(text[_emitted]))
                {
                    _emitted++;
                }

                _answerStart = _emitted;
            }

            if (text.Length > _emitted)
            {
                (contents ??= []).Add(new TextContent(text[_emitted..]));
                _emitted = text.Length;
            }
        }

        /// <summary>Adds whatever part of the parsed answer has not been streamed yet.</summary>
        public void FinishAnswer(string answer, List<AIContent> contents)
        {
            if (_answerStart < 0)
            {
                contents.Add(new TextContent(answer));
                return;
            }

            var streamed = _text.ToString(_answerStart, _emitted - _answerStart).TrimEnd();
            if (streamed.Length == 0)
            {
                contents.Add(new TextContent(answer));
            }
            else if (answer.Length > streamed.Length && answer.StartsWith(streamed, StringComparison.Ordinal))
            {
                contents.Add(new TextContent(answer[streamed.Length..]));
            }
        }

        /// <summary>Where the first label line starts (and which label: 0 for the final answer), or -1.</summary>
        private static (int Start, int Label) FindLabel(string text)
        {
            var lineStart = 0;
            while (true)
            {
                var lineEnd = text.IndexOf('\n', lineStart);
                var line = Normalize(lineEnd < 0 ? text[lineStart..] : text[lineStart..lineEnd]);
                for (var l = 0; l < Labels.Length; l++)
                {
                    if (line.StartsWith(Labels[l], StringComparison.Ordinal))
                    {
                        return (lineStart, l);
                    }
                }

                if (lineEnd < 0)
                {
                    return (-1, -1);
                }

                lineStart = lineEnd + 1;
            }
        }

        /// <summary>The end of the text that cannot be part of a label: all but an unfinished last line that could
        /// still become one.</summary>
        private int SafeEnd(string text)
        {
            var lastLine = text.LastIndexOf('\n') + 1;
            var line = Normalize(text[lastLine..]);
            foreach (var label in Labels)
            {
                if (label.StartsWith(line, StringComparison.Ordinal))
                {
                    return Math.Max(_emitted, lastLine);
                }
            }

            return text.Length;
        }

        private static string Normalize(string line)
            => line.TrimStart(' ', '\t', '>', '*', '_', '#', '-').Replace("*", string.Empty, StringComparison.Ordinal).Replace("_", " ", StringComparison.Ordinal).ToLowerInvariant();
    }
}

/// <summary>A ReAct reply that could not be read; its message tells the model the expected format.</summary>
internal sealed class ReActFormatException(string message) : FormatException(message);
