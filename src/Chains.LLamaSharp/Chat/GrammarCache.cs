using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Chat;

/// <summary>
/// Keeps the validated GBNF text built for a tool set or a JSON schema, so a conversation that sends the same tools on
/// every turn converts and validates them once (the JSON schema → GBNF conversion and the managed grammar check cost
/// more than the key). Keyed by the exact schema text, so any change to a tool builds a new grammar; bounded, and
/// emptied when full. Conversions that fail are not cached and fail again on the next request.
/// </summary>
internal static class GrammarCache
{
    private const int MaxEntries = 256;
    private static readonly ConcurrentDictionary<string, string> s_grammars = new(StringComparer.Ordinal);

    public static string GetOrAdd(string key, Func<string> build)
    {
        if (s_grammars.TryGetValue(key, out var grammar))
        {
            return grammar;
        }

        grammar = build();
        if (s_grammars.Count >= MaxEntries)
        {
            s_grammars.Clear();
        }

        s_grammars.TryAdd(key, grammar);
        return grammar;
    }

    /// <summary>The key of a tool-call grammar: every input of <see cref="ToolCalls.Grammar"/>.</summary>
    public static string ToolsKey(IReadOnlyList<AIFunctionDeclaration> tools, bool required, bool multiple, ChatResponseFormatJson? responseFormat)
    {
        var sb = new StringBuilder("tools ");
        sb.Append(required ? 'R' : 'A').Append(multiple ? 'M' : 'S');
        foreach (var tool in tools)
        {
            // Length-prefixed, so no name or schema text can run into the next one.
            Append(sb, tool.Name);
            Append(sb, tool.JsonSchema.GetRawText());
        }

        Append(sb, responseFormat switch
        {
            null => "text",
            { Schema: { } schema } => "schema " + schema.GetRawText(),
            _ => "json",
        });
        return sb.ToString();

        static void Append(StringBuilder sb, string value)
            => sb.Append(' ').Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);
    }

    /// <summary>The key of a JSON-schema response format's grammar.</summary>
    public static string SchemaKey(JsonElement schema) => "schema\n" + schema.GetRawText();
}
