using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Chains.Agents;

/// <summary>What a ReAct reply asks for.</summary>
internal enum ReActStepKind
{
    FinalAnswer,
    Action,
    Malformed,
}

/// <summary>One parsed ReAct reply.</summary>
internal sealed record ReActStep(ReActStepKind Kind, string Thought, string? Answer, string? ToolName, Dictionary<string, object?>? Arguments, string? Error);

/// <summary>
/// A tolerant parser for the ReAct text protocol (<c>Thought:</c> / <c>Action:</c> / <c>Action Input:</c> /
/// <c>Final Answer:</c>). Labels match case-insensitively, with markdown emphasis, bullets or quotes around them; the
/// tool name may be quoted or bracketed; the input may be fenced, followed by chatter, or a bare value for a tool with one
/// parameter; a hallucinated <c>Observation:</c> and everything after it is ignored; LangChain's JSON blob
/// (<c>{"action": ..., "action_input": ...}</c>) is accepted too.
/// </summary>
internal static partial class ReActParser
{
    public const string FinalAnswerLabel = "Final Answer:";

    private const string LinePrefix = @"^[ \t>*_#\-]*";

    public static ReActStep Parse(string text, IReadOnlyDictionary<string, AIFunctionDeclaration> tools)
    {
        text ??= string.Empty;
        if (Observation().Match(text) is { Success: true } observation)
        {
            text = text[..observation.Index];
        }

        var final = FinalAnswer().Match(text);
        var action = Action().Match(text);
        var firstMarker = Math.Min(final.Success ? final.Index : int.MaxValue, action.Success ? action.Index : int.MaxValue);
        var thought = CleanThought(firstMarker == int.MaxValue ? text : text[..firstMarker]);

        if (action.Success && (!final.Success || action.Index < final.Index))
        {
            return ParseAction(text, action, thought, tools);
        }

        if (final.Success)
        {
            var answer = text[(final.Index + final.Length)..].Trim();
            return new ReActStep(ReActStepKind.FinalAnswer, thought, StripEmphasis(answer), null, null, null);
        }

        if (TryParseJsonBlob(text, tools, out var blobStep))
        {
            return blobStep;
        }

        return Malformed(thought, "the reply has neither an 'Action:' line nor a 'Final Answer:' line", tools);
    }

    /// <summary>The instructions explaining the protocol and the tools.</summary>
    public static string Instructions(IEnumerable<AIFunctionDeclaration> tools)
    {
        var list = tools.ToList();
        var builder = new System.Text.StringBuilder();
        builder.Append("Answer the user's request as well as you can. You can use these tools:\n\n");
        foreach (var tool in list)
        {
            builder.Append("- ").Append(tool.Name).Append(": ").Append(string.IsNullOrWhiteSpace(tool.Description) ? "(no description)" : tool.Description.Trim()).Append('\n');
            builder.Append("  arguments (JSON schema): ").Append(tool.JsonSchema.GetRawText()).Append('\n');
        }

        builder.Append('\n').Append(FormatHelp(list.Select(t => t.Name)));
        builder.Append("\n\nWrite one Action per reply, then stop: the Observation is written for you.");
        return builder.ToString();
    }

    private static string FormatHelp(IEnumerable<string> toolNames)
        => "Use exactly this format:\n\n"
            + "Thought: what to do next and why\n"
            + $"Action: the tool to use, one of [{string.Join(", ", toolNames)}]\n"
            + "Action Input: the tool's arguments as a JSON object\n"
            + "Observation: the tool's result\n"
            + "... (Thought, Action, Action Input and Observation may repeat)\n"
            + "Thought: I now know the final answer\n"
            + "Final Answer: the answer to the user's request";

    private static ReActStep ParseAction(string text, Match action, string thought, IReadOnlyDictionary<string, AIFunctionDeclaration> tools)
    {
        var name = CleanName(action.Groups["name"].Value);
        if (name.Length == 0)
        {
            return Malformed(thought, "'Action:' must be followed by a tool name on the same line", tools);
        }

        var afterAction = text[(action.Index + action.Length)..];
        var inputMatch = ActionInput().Match(afterAction);
        string input;
        if (inputMatch.Success)
        {
            input = afterAction[(inputMatch.Index + inputMatch.Length)..];
            if (NextLabel().Match(input) is { Success: true } next)
            {
                input = input[..next.Index];
            }
        }
        else
        {
            input = string.Empty;
        }

        tools.TryGetValue(name, out var tool);
        input = StripFence(input.Trim());
        if (input.Length == 0)
        {
            if (!inputMatch.Success && tool is not null && RequiredCount(tool) > 0)
            {
                return Malformed(thought, $"'Action: {name}' must be followed by an 'Action Input:' line with the arguments", tools);
            }

            return new ReActStep(ReActStepKind.Action, thought, null, name, [], null);
        }

        if (TryReadObject(input, out var arguments))
        {
            return new ReActStep(ReActStepKind.Action, thought, null, name, arguments, null);
        }

        // A bare value is the argument of a tool with exactly one parameter.
        if (tool is not null && SingleParameter(tool) is { } parameter)
        {
            object? value = TryReadJson(input, out var element) && element.ValueKind != JsonValueKind.Object ? element : Unquote(input);
            return new ReActStep(ReActStepKind.Action, thought, null, name, new Dictionary<string, object?>(StringComparer.Ordinal) { [parameter] = value }, null);
        }

        if (tool is null)
        {
            // The executor reports the unknown tool with the list of tools; the arguments do not matter.
            return new ReActStep(ReActStepKind.Action, thought, null, name, [], null);
        }

        return Malformed(thought, $"the Action Input for '{name}' must be a JSON object such as {Example(tool)}", tools);
    }

    private static bool TryParseJsonBlob(string text, IReadOnlyDictionary<string, AIFunctionDeclaration> tools, out ReActStep step)
    {
        step = null!;
        var fenced = StripFence(text.Trim());
        var start = fenced.IndexOf('{', StringComparison.Ordinal);
        if (start < 0 || !TryReadObjectAt(fenced, start, out var blob) || !blob.TryGetValue("action", out var actionValue))
        {
            return false;
        }

        var action = actionValue is JsonElement { ValueKind: JsonValueKind.String } a ? a.GetString() ?? string.Empty : string.Empty;
        blob.TryGetValue("action_input", out var input);
        var thought = CleanThought(text[..text.IndexOf('{', StringComparison.Ordinal)]);
        if (action.Equals("Final Answer", StringComparison.OrdinalIgnoreCase))
        {
            var answer = input is JsonElement { ValueKind: JsonValueKind.String } s ? s.GetString() ?? string.Empty : input is JsonElement e ? e.GetRawText() : string.Empty;
            step = new ReActStep(ReActStepKind.FinalAnswer, thought, answer, null, null, null);
            return true;
        }

        Dictionary<string, object?> arguments;
        if (input is JsonElement { ValueKind: JsonValueKind.Object } obj)
        {
            arguments = obj.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal);
        }
        else if (input is JsonElement value && tools.TryGetValue(action, out var tool) && SingleParameter(tool) is { } parameter)
        {
            arguments = new(StringComparer.Ordinal) { [parameter] = value.Clone() };
        }
        else
        {
            arguments = [];
        }

        step = new ReActStep(ReActStepKind.Action, thought, null, CleanName(action), arguments, null);
        return true;
    }

    private static ReActStep Malformed(string thought, string problem, IReadOnlyDictionary<string, AIFunctionDeclaration> tools)
        => new(ReActStepKind.Malformed, thought, null, null, null, $"Invalid format: {problem}. {FormatHelp(tools.Keys)}");

    private static bool TryReadObject(string input, out Dictionary<string, object?> arguments)
    {
        var start = input.IndexOf('{', StringComparison.Ordinal);
        if (start < 0 || (start > 0 && !input[..start].All(char.IsWhiteSpace)))
        {
            arguments = null!;
            return false;
        }

        return TryReadObjectAt(input, start, out arguments);
    }

    /// <summary>Reads the JSON object starting at <paramref name="start"/>, ignoring whatever follows it.</summary>
    private static bool TryReadObjectAt(string text, int start, out Dictionary<string, object?> arguments)
    {
        arguments = null!;
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text[start..]), new JsonReaderOptions
        {
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
            AllowMultipleValues = true,
        });
        try
        {
            if (!JsonElement.TryParseValue(ref reader, out var element) || element is not { ValueKind: JsonValueKind.Object } obj)
            {
                return false;
            }

            arguments = obj.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadJson(string input, out JsonElement element)
    {
        try
        {
            element = JsonElement.Parse(input);
            return true;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }

    private static string? SingleParameter(AIFunctionDeclaration tool)
    {
        if (tool.JsonSchema.ValueKind == JsonValueKind.Object
            && tool.JsonSchema.TryGetProperty("properties", out var properties)
            && properties.ValueKind == JsonValueKind.Object)
        {
            string? only = null;
            foreach (var property in properties.EnumerateObject())
            {
                if (only is not null)
                {
                    return null;
                }

                only = property.Name;
            }

            return only;
        }

        return null;
    }

    private static int RequiredCount(AIFunctionDeclaration tool)
        => tool.JsonSchema.ValueKind == JsonValueKind.Object && tool.JsonSchema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
            ? required.GetArrayLength()
            : 0;

    private static string Example(AIFunctionDeclaration tool)
    {
        if (tool.JsonSchema.ValueKind == JsonValueKind.Object
            && tool.JsonSchema.TryGetProperty("properties", out var properties)
            && properties.ValueKind == JsonValueKind.Object)
        {
            var names = properties.EnumerateObject().Select(p => $"\"{p.Name}\": ...").ToList();
            return names.Count == 0 ? "{}" : "{" + string.Join(", ", names) + "}";
        }

        return "{}";
    }

    private static string CleanThought(string text)
    {
        var thought = ThoughtLabel().Replace(text, string.Empty).Trim();
        return StripEmphasis(thought);
    }

    private static string CleanName(string name)
    {
        name = name.Trim().Trim('*', '`', '"', '\'', '[', ']', '(', ')', '<', '>', ' ', '.', ':');

        // "search[query]" / "search(query)" style: the name is what precedes the bracket.
        var bracket = name.IndexOfAny(['[', '(', ' ']);
        return bracket > 0 ? name[..bracket] : name;
    }

    private static string StripEmphasis(string text)
        => text.Length >= 4 && text.StartsWith("**", StringComparison.Ordinal) && text.EndsWith("**", StringComparison.Ordinal) ? text[2..^2].Trim() : text;

    private static string StripFence(string text)
    {
        if (!text.StartsWith("```", StringComparison.Ordinal))
        {
            return text;
        }

        var firstLineEnd = text.IndexOf('\n', StringComparison.Ordinal);
        if (firstLineEnd < 0)
        {
            return text.Trim('`').Trim();
        }

        var body = text[(firstLineEnd + 1)..];
        var close = body.LastIndexOf("```", StringComparison.Ordinal);
        return (close >= 0 ? body[..close] : body).Trim();
    }

    private static string Unquote(string input)
        => input.Length >= 2 && ((input[0] == '"' && input[^1] == '"') || (input[0] == '\'' && input[^1] == '\'')) ? input[1..^1] : input;

    [GeneratedRegex(LinePrefix + @"observation\**[ \t]*:", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex Observation();

    [GeneratedRegex(LinePrefix + @"final[ \t_]*answer\**[ \t]*:\**", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex FinalAnswer();

    [GeneratedRegex(LinePrefix + @"action\**[ \t]*:\**(?<name>[^\r\n]*)", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex Action();

    [GeneratedRegex(LinePrefix + @"action[ \t_]*input\**[ \t]*:\**", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex ActionInput();

    [GeneratedRegex(LinePrefix + @"(thought|action|final[ \t_]*answer)\**[ \t]*:", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex NextLabel();

    [GeneratedRegex(LinePrefix + @"thought\**[ \t]*:\**[ \t]*", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex ThoughtLabel();
}
