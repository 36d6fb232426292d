using System.Text.Json;
using Chains.LLamaSharp.Grammars;

namespace Chains.LLamaSharp;

/// <summary>
/// A validated GBNF grammar (llama.cpp's grammar format) that constrains what the model may generate. Grammars are
/// parsed and checked in managed code — syntax, undefined rules, a missing <c>root</c>, left recursion, repetition
/// limits — so an invalid grammar is a <see cref="GbnfGrammarException"/>, never a native crash.
/// </summary>
/// <remarks>Pass one to a request with <see cref="LlamaChatOptionsExtensions.WithGrammar"/>. Structured output
/// (<c>ChatResponseFormat.ForJsonSchema</c>) and tool calls build their grammars with <see cref="FromJsonSchema"/>
/// automatically.</remarks>
public sealed class GbnfGrammar
{
    private static readonly Lazy<GbnfGrammar> s_json = new(() => Parse(JsonSchemaGrammarBuilder.JsonObject()));

    private GbnfGrammar(string text, IReadOnlyList<string> ruleNames)
    {
        Text = text;
        RuleNames = ruleNames;
    }

    /// <summary>Gets a grammar for any JSON object (what <c>ChatResponseFormat.Json</c> uses).</summary>
    public static GbnfGrammar JsonObject => s_json.Value;

    /// <summary>Gets the grammar text.</summary>
    public string Text { get; }

    /// <summary>Gets the names of the rules defined, in order; generation starts at <c>root</c>.</summary>
    public IReadOnlyList<string> RuleNames { get; }

    /// <summary>Parses and validates a grammar whose start rule is <c>root</c>.</summary>
    /// <param name="text">The GBNF text.</param>
    /// <returns>The grammar.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="GbnfGrammarException">The grammar is invalid; the message gives the line and column.</exception>
    public static GbnfGrammar Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new GbnfGrammar(text, GbnfParser.Validate(text));
    }

    /// <summary>Converts a JSON schema into a grammar whose every complete output is JSON valid against the schema.</summary>
    /// <param name="schema">The JSON schema (objects, arrays with bounds, strings with length bounds and formats, numbers,
    /// integers, booleans, null, enum, const, anyOf/oneOf, nullable, local $ref/$defs including recursion).</param>
    /// <returns>The grammar.</returns>
    /// <exception cref="NotSupportedException">The schema uses a keyword that cannot be enforced by a grammar here
    /// (pattern, numeric bounds, multipleOf, not, if/then/else...); it is rejected rather than silently ignored.</exception>
    /// <exception cref="ArgumentException">The schema is invalid (not an object, an unresolvable $ref, inverted bounds...).</exception>
    public static GbnfGrammar FromJsonSchema(JsonElement schema) => Parse(JsonSchemaGrammarBuilder.Build(schema));

    /// <inheritdoc/>
    public override string ToString() => Text;
}
