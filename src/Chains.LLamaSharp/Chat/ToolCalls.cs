using System.Text;
using System.Text.Json;
using Chains.LLamaSharp.Grammars;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Chat;

/// <summary>
/// Tool calling in the Hermes / Qwen convention: tool schemas listed in the system prompt inside <c>&lt;tools&gt;</c>,
/// calls written as <c>&lt;tool_call&gt;{"name": ..., "arguments": ...}&lt;/tool_call&gt;</c> blocks, results returned in
/// <c>&lt;tool_response&gt;</c> blocks. A grammar makes the model answer either with text or with one or more calls whose
/// arguments match the called tool's JSON schema.
/// </summary>
internal static class ToolCalls
{
    public const string Open = "<tool_call>";
    public const string Close = "</tool_call>";
    private const int MaxCalls = 8;

    /// <summary>Compact JSON with M.E.AI's type handling, as tool-calling models are trained to read and write it.</summary>
    private static readonly JsonSerializerOptions Compact = new(AIJsonUtilities.DefaultOptions)
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Instructions(IReadOnlyList<AIFunctionDeclaration> tools)
    {
        var sb = new StringBuilder();
        sb.Append("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n");
        sb.Append("You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
        foreach (var tool in tools)
        {
            sb.Append('\n').Append(JsonSerializer.Serialize(
                new Dictionary<string, object?>
                {
                    ["type"] = "function",
                    ["function"] = new Dictionary<string, object?>
                    {
                        ["name"] = tool.Name,
                        ["description"] = tool.Description,
                        ["parameters"] = tool.JsonSchema,
                    },
                },
                PromptRenderer.Json));
        }

        sb.Append("\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n");
        sb.Append("<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        return sb.ToString();
    }

    public static string FormatCall(FunctionCallContent call)
    {
        var arguments = JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), Compact.GetTypeInfo(typeof(IDictionary<string, object?>)));
        return $"{Open}\n{{\"name\": {JsonSerializer.Serialize(call.Name, PromptRenderer.Json)}, \"arguments\": {arguments}}}\n{Close}";
    }

    public static string FormatResult(FunctionResultContent result)
    {
        var value = result.Exception is { } ex
            ? $"Error: {ex.Message}"
            : result.Result switch
            {
                null => "null",
                string s => s,
                JsonElement e => e.GetRawText(),
                var other => JsonSerializer.Serialize(other, Compact.GetTypeInfo(other.GetType())),
            };
        return $"<tool_response>\n{value}\n</tool_response>";
    }

    /// <summary>Builds the grammar: tool calls only (<paramref name="required"/>), or calls or free text / the JSON
    /// response format.</summary>
    public static string Grammar(IReadOnlyList<AIFunctionDeclaration> tools, bool required, bool multiple, ChatResponseFormatJson? responseFormat)
    {
        var builder = JsonSchemaGrammarBuilder.CreateComposite();
        var calls = new List<string>();
        foreach (var tool in tools)
        {
            var arguments = builder.AddSchema(tool.JsonSchema, "args-" + tool.Name);
            var head = Gbnf.Literal($"{Open}\n{{\"name\": {JsonSerializer.Serialize(tool.Name, PromptRenderer.Json)}, \"arguments\": ");
            calls.Add(builder.AddRule("call-" + tool.Name, $"{head} {arguments} {Gbnf.Literal("}\n" + Close)}"));
        }

        var call = builder.AddRule("tool-call", string.Join(" | ", calls));
        var callList = builder.AddRule("tool-calls", multiple ? $"{call} ( \"\\n\" {call} ){{0,{MaxCalls - 1}}}" : call);
        if (required)
        {
            return builder.Complete(callList);
        }

        string answer;
        if (responseFormat is not null)
        {
            answer = responseFormat.Schema is { } schema ? builder.AddSchema(schema, "answer") : builder.AnyJsonObject();
        }
        else
        {
            answer = builder.AddRule("text", "( [^<] .* )?");
        }

        return builder.Complete($"{callList} | {answer}");
    }

    /// <summary>Tells whether <paramref name="text"/> (the start of an answer) still could become a tool call.</summary>
    public static bool CouldBeCall(string text)
        => text.Length < Open.Length ? Open.StartsWith(text, StringComparison.Ordinal) : text.StartsWith(Open, StringComparison.Ordinal);

    /// <summary>Parses an answer made of tool-call blocks; <see langword="false"/> when it is not (or not only) calls.</summary>
    public static bool TryParse(string text, out List<(string Name, Dictionary<string, object?> Arguments)> calls)
    {
        calls = [];
        var bytes = Encoding.UTF8.GetBytes(text);
        var pos = SkipWhitespace(bytes, 0);
        if (!StartsWith(bytes, pos, Open))
        {
            return false;
        }

        while (pos < bytes.Length)
        {
            if (!StartsWith(bytes, pos, Open))
            {
                return false;
            }

            pos = SkipWhitespace(bytes, pos + Open.Length);
            var reader = new Utf8JsonReader(bytes.AsSpan(pos), new JsonReaderOptions { AllowTrailingCommas = false });
            JsonElement call;
            try
            {
                if (!JsonElement.TryParseValue(ref reader, out var parsed) || parsed is not { ValueKind: JsonValueKind.Object } value)
                {
                    return false;
                }

                call = value;
            }
            catch (JsonException)
            {
                return false;
            }

            pos += (int)reader.BytesConsumed;
            if (!call.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (call.TryGetProperty("arguments", out var args))
            {
                if (args.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }

                foreach (var property in args.EnumerateObject())
                {
                    arguments[property.Name] = property.Value.Clone();
                }
            }

            calls.Add((name.GetString()!, arguments));
            pos = SkipWhitespace(bytes, pos);
            if (!StartsWith(bytes, pos, Close))
            {
                return false;
            }

            pos = SkipWhitespace(bytes, pos + Close.Length);
        }

        return calls.Count > 0;
    }

    private static int SkipWhitespace(byte[] bytes, int pos)
    {
        while (pos < bytes.Length && bytes[pos] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            pos++;
        }

        return pos;
    }

    private static bool StartsWith(byte[] bytes, int pos, string token)
    {
        if (pos + token.Length > bytes.Length)
        {
            return false;
        }

        for (var i = 0; i < token.Length; i++)
        {
            if (bytes[pos + i] != token[i])
            {
                return false;
            }
        }

        return true;
    }
}
