using System.Globalization;
using System.Text;
using System.Text.Json;
using Chains.LLamaSharp.Chat;

namespace Chains.LLamaSharp.Grammars;

/// <summary>
/// Converts a JSON schema into a GBNF grammar whose every complete output is JSON that validates against the schema.
/// Supported: object (properties, required/optional, additionalProperties), array (items, prefixItems, minItems,
/// maxItems), string (minLength, maxLength, formats date/time/date-time/uuid), integer, number, boolean, null, enum,
/// const, anyOf/oneOf, a one-element allOf, type lists, nullable, $ref into $defs/definitions (recursion included).
/// Keywords that constrain values in ways a grammar here does not express (pattern, numeric bounds, multipleOf, not,
/// if/then/else...) are rejected rather than ignored, so a schema is never silently weakened. Annotations (title,
/// description, default, examples...) are ignored. Numbers are bounded like llama.cpp's (at most 16 integral digits).
/// </summary>
internal sealed class JsonSchemaGrammarBuilder
{
    private const int MaxRepeat = 1999;

    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$anchor", "$comment", "$defs", "definitions", "title", "description", "default", "examples",
        "deprecated", "readOnly", "writeOnly", "contentEncoding", "contentMediaType", "$vocabulary", "format",
        "type", "properties", "required", "additionalProperties", "items", "prefixItems", "minItems", "maxItems",
        "minLength", "maxLength", "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "nullable", "unevaluatedItems",
    };

    private static readonly Dictionary<string, string> Primitives = new(StringComparer.Ordinal)
    {
        ["space"] = "| \" \" | \"\\n\" [ \\t]{0,20}",
        ["boolean"] = "(\"true\" | \"false\") space",
        ["null"] = "\"null\" space",
        ["char"] = "[^\"\\\\\\x7F\\x00-\\x1F] | [\\\\] ([\"\\\\/bfnrt] | \"u\" ([0-9a-cA-CeEfF] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2}))",
        ["string"] = "\"\\\"\" char* \"\\\"\" space",
        ["integral-part"] = "[0] | [1-9] [0-9]{0,15}",
        ["decimal-part"] = "[0-9]{1,16}",
        ["integer"] = "(\"-\"? integral-part) space",
        ["number"] = "(\"-\"? integral-part) (\".\" decimal-part)? ([eE] [-+]? integral-part)? space",
        ["value"] = "object | array | string | number | boolean | null",
        ["object"] = "\"{\" space ( string \":\" space value (\",\" space string \":\" space value)* )? \"}\" space",
        ["array"] = "\"[\" space ( value (\",\" space value)* )? \"]\" space",
        ["date"] = "[0-9]{4} \"-\" ( \"0\" [1-9] | \"1\" [0-2] ) \"-\" ( \"0\" [1-9] | [1-2] [0-9] | \"3\" [0-1] )",
        ["time"] = "( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{3} )? ( \"Z\" | ( \"+\" | \"-\" ) ( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] )",
        ["date-string"] = "\"\\\"\" date \"\\\"\" space",
        ["time-string"] = "\"\\\"\" time \"\\\"\" space",
        ["date-time-string"] = "\"\\\"\" date \"T\" time \"\\\"\" space",
        ["uuid"] = "\"\\\"\" [0-9a-fA-F]{8} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{12} \"\\\"\" space",
    };

    private static readonly Dictionary<string, string[]> PrimitiveDependencies = new(StringComparer.Ordinal)
    {
        ["boolean"] = ["space"],
        ["null"] = ["space"],
        ["string"] = ["char", "space"],
        ["integer"] = ["integral-part", "space"],
        ["number"] = ["integral-part", "decimal-part", "space"],
        ["value"] = ["object", "array", "string", "number", "boolean", "null"],
        ["object"] = ["string", "value", "space"],
        ["array"] = ["value", "space"],
        ["date-string"] = ["date", "space"],
        ["time-string"] = ["time", "space"],
        ["date-time-string"] = ["date", "time", "space"],
        ["uuid"] = ["space"],
    };

    private readonly JsonElement _root;
    private readonly List<(string Name, string Body)> _rules = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byBody = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refs = new(StringComparer.Ordinal);

    private JsonSchemaGrammarBuilder(JsonElement root) => _root = root;

    /// <summary>Builds the grammar text for <paramref name="schema"/>, with the value at rule <c>root</c>.</summary>
    /// <exception cref="NotSupportedException">The schema uses a keyword the converter cannot express.</exception>
    /// <exception cref="ArgumentException">The schema is invalid (not an object, a bad $ref...).</exception>
    public static string Build(JsonElement schema)
    {
        var builder = new JsonSchemaGrammarBuilder(schema);
        var value = builder.Visit(schema, "root-value", "#");
        return builder.Emit(value);
    }

    /// <summary>Creates an empty builder to compose grammars from several schemas (tool calls).</summary>
    internal static JsonSchemaGrammarBuilder CreateComposite() => new(default);

    /// <summary>Adds the rules of <paramref name="schema"/> (its $refs resolved within it) and returns its expression.</summary>
    internal string AddSchema(JsonElement schema, string hint)
        => new JsonSchemaGrammarBuilder(schema).Share(this).Visit(schema, hint, "#");

    /// <summary>Adds a rule and returns its name.</summary>
    internal string AddRule(string hint, string body) => Rule(hint, body);

    /// <summary>Gets the rule of any JSON object.</summary>
    internal string AnyJsonObject() => Primitive("object");

    /// <summary>Writes the grammar with <paramref name="rootExpression"/> as <c>root</c>.</summary>
    internal string Complete(string rootExpression) => Emit(rootExpression);

    /// <summary>Gets a grammar for any JSON object (<c>ChatResponseFormat.Json</c>).</summary>
    public static string JsonObject()
    {
        var builder = new JsonSchemaGrammarBuilder(default);
        return builder.Emit(builder.Primitive("object"));
    }

    private JsonSchemaGrammarBuilder Share(JsonSchemaGrammarBuilder other)
    {
        // Schemas of several tools share one rule set; names stay unique and each schema resolves its own $refs.
        _sharedWith = other;
        _scope = (++other._scopes).ToString(CultureInfo.InvariantCulture) + ":";
        return this;
    }

    private JsonSchemaGrammarBuilder? _sharedWith;
    private string _scope = string.Empty;
    private int _scopes;

    private JsonSchemaGrammarBuilder Target => _sharedWith ?? this;

    private string Emit(string rootExpression)
    {
        var sb = new StringBuilder();
        foreach (var (name, body) in _rules)
        {
            sb.Append(name).Append(" ::= ").Append(body).Append('\n');
        }

        sb.Append("root ::= ").Append(rootExpression).Append('\n');
        return sb.ToString();
    }

    private string Visit(JsonElement schema, string hint, string pointer)
    {
        switch (schema.ValueKind)
        {
            case JsonValueKind.True:
                return Primitive("value");
            case JsonValueKind.False:
                throw new ArgumentException($"The schema at '{pointer}' is 'false': no value can match it.");
            case JsonValueKind.Object:
                break;
            default:
                throw new ArgumentException($"The schema at '{pointer}' is a {schema.ValueKind}, not an object.");
        }

        foreach (var property in schema.EnumerateObject())
        {
            if (!Annotations.Contains(property.Name))
            {
                throw new NotSupportedException($"The JSON schema keyword '{property.Name}' at '{pointer}' cannot be enforced by a grammar here; remove it or express it with enum/anyOf.");
            }
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Ref(reference.GetString() ?? throw new ArgumentException($"'$ref' at '{pointer}' is not a string."), pointer);
        }

        string expression;
        if (schema.TryGetProperty("const", out var constant))
        {
            expression = Literal(constant);
        }
        else if (schema.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0)
            {
                throw new ArgumentException($"'enum' at '{pointer}' must be a non-empty array.");
            }

            expression = Rule(hint, string.Join(" | ", values.EnumerateArray().Select(Literal).Distinct(StringComparer.Ordinal)));
        }
        else if (schema.TryGetProperty("anyOf", out var anyOf) || schema.TryGetProperty("oneOf", out anyOf))
        {
            expression = Alternatives(anyOf, hint, pointer + (schema.TryGetProperty("anyOf", out _) ? "/anyOf" : "/oneOf"));
        }
        else if (schema.TryGetProperty("allOf", out var allOf))
        {
            if (allOf.ValueKind != JsonValueKind.Array || allOf.GetArrayLength() != 1)
            {
                throw new NotSupportedException($"'allOf' at '{pointer}' with more than one schema cannot be converted; merge the schemas.");
            }

            expression = Visit(allOf[0], hint, pointer + "/allOf/0");
        }
        else if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.Array)
            {
                var alternatives = type.EnumerateArray().Select(t => TypeExpression(schema, t.GetString()!, hint + "-" + t.GetString(), pointer)).Distinct(StringComparer.Ordinal).ToList();
                expression = alternatives.Count == 1 ? alternatives[0] : Rule(hint, string.Join(" | ", alternatives));
            }
            else
            {
                expression = TypeExpression(schema, type.GetString() ?? throw new ArgumentException($"'type' at '{pointer}' is not a string."), hint, pointer);
            }
        }
        else if (schema.TryGetProperty("properties", out _) || schema.TryGetProperty("additionalProperties", out _) || schema.TryGetProperty("required", out _))
        {
            expression = TypeExpression(schema, "object", hint, pointer);
        }
        else if (schema.TryGetProperty("items", out _) || schema.TryGetProperty("prefixItems", out _))
        {
            expression = TypeExpression(schema, "array", hint, pointer);
        }
        else
        {
            expression = Primitive("value");
        }

        if (schema.TryGetProperty("nullable", out var nullable) && nullable.ValueKind == JsonValueKind.True)
        {
            expression = Rule(hint + "-or-null", expression + " | " + Primitive("null"));
        }

        return expression;
    }

    private string Alternatives(JsonElement list, string hint, string pointer)
    {
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new ArgumentException($"'{pointer}' must be a non-empty array of schemas.");
        }

        var alternatives = list.EnumerateArray().Select((s, i) => Visit(s, $"{hint}-{i}", $"{pointer}/{i}")).Distinct(StringComparer.Ordinal).ToList();
        return alternatives.Count == 1 ? alternatives[0] : Rule(hint, string.Join(" | ", alternatives));
    }

    private string TypeExpression(JsonElement schema, string type, string hint, string pointer) => type switch
    {
        "object" => ObjectRule(schema, hint, pointer),
        "array" => ArrayRule(schema, hint, pointer),
        "string" => StringRule(schema, hint, pointer),
        "integer" => Primitive("integer"),
        "number" => Primitive("number"),
        "boolean" => Primitive("boolean"),
        "null" => Primitive("null"),
        _ => throw new ArgumentException($"Unknown type '{type}' at '{pointer}'."),
    };

    private string ObjectRule(JsonElement schema, string hint, string pointer)
    {
        Primitive("space");
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("required", out var req))
        {
            foreach (var name in req.EnumerateArray())
            {
                required.Add(name.GetString() ?? throw new ArgumentException($"'required' at '{pointer}' must list strings."));
            }
        }

        var properties = new List<(string Name, JsonElement Schema)>();
        if (schema.TryGetProperty("properties", out var props))
        {
            foreach (var p in props.EnumerateObject())
            {
                properties.Add((p.Name, p.Value));
            }
        }

        schema.TryGetProperty("additionalProperties", out var additional);
        var additionalAllowed = additional.ValueKind != JsonValueKind.False;
        foreach (var name in required)
        {
            if (!properties.Any(p => p.Name == name))
            {
                if (!additionalAllowed)
                {
                    throw new ArgumentException($"'{name}' is required at '{pointer}' but not allowed (no such property and additionalProperties is false).");
                }

                properties.Add((name, additional.ValueKind == JsonValueKind.Object ? additional : default));
            }
        }

        if (properties.Count == 0)
        {
            if (!additionalAllowed)
            {
                return Rule(hint, "\"{\" space \"}\" space");
            }

            var valueExpression = additional.ValueKind == JsonValueKind.Object
                ? Visit(additional, hint + "-value", pointer + "/additionalProperties")
                : Primitive("value");
            var kv = Rule(hint + "-kv", Primitive("string") + " \":\" space " + valueExpression);
            return Rule(hint, $"\"{{\" space ( {kv} ( \",\" space {kv} )* )? \"}}\" space");
        }

        var kvs = properties.Select(p => (p.Name, Rule: Rule(
            $"{hint}-{p.Name}-kv",
            Gbnf.Literal(JsonSerializer.Serialize(p.Name, PromptRenderer.Json)) + " space \":\" space " +
            (p.Schema.ValueKind == JsonValueKind.Undefined ? Primitive("value") : Visit(p.Schema, $"{hint}-{p.Name}", $"{pointer}/properties/{p.Name}"))))).ToList();
        var requiredKvs = kvs.Where(k => required.Contains(k.Name)).Select(k => k.Rule).ToList();
        var optionalKvs = kvs.Where(k => !required.Contains(k.Name)).Select(k => k.Rule).ToList();

        // "Any ordered, non-empty subset of the optional properties": rest(i) ::= kv(i) ( "," rest(i+1) )? | rest(i+1).
        string? optional = null;
        for (var i = optionalKvs.Count - 1; i >= 0; i--)
        {
            optional = optional is null
                ? optionalKvs[i]
                : Rule($"{hint}-rest-{i}", $"{optionalKvs[i]} ( \",\" space {optional} )? | {optional}");
        }

        var body = new StringBuilder("\"{\" space ");
        if (requiredKvs.Count > 0)
        {
            body.Append(string.Join(" \",\" space ", requiredKvs));
            if (optional is not null)
            {
                body.Append(" ( \",\" space ").Append(optional).Append(" )?");
            }
        }
        else if (optional is not null)
        {
            body.Append("( ").Append(optional).Append(" )?");
        }

        body.Append(" \"}\" space");
        return Rule(hint, body.ToString());
    }

    private string ArrayRule(JsonElement schema, string hint, string pointer)
    {
        Primitive("space");
        var min = GetCount(schema, "minItems", pointer) ?? 0;
        var max = GetCount(schema, "maxItems", pointer);
        if (max < min)
        {
            throw new ArgumentException($"'maxItems' {max} is below 'minItems' {min} at '{pointer}'.");
        }

        if (schema.TryGetProperty("prefixItems", out var prefix))
        {
            var tuple = prefix.EnumerateArray().Select((s, i) => Visit(s, $"{hint}-{i}", $"{pointer}/prefixItems/{i}")).ToList();
            if (min > tuple.Count)
            {
                throw new NotSupportedException($"'minItems' beyond 'prefixItems' at '{pointer}' cannot be converted.");
            }

            return Rule(hint, tuple.Count == 0 ? "\"[\" space \"]\" space" : $"\"[\" space {string.Join(" \",\" space ", tuple)} \"]\" space");
        }

        var item = schema.TryGetProperty("items", out var items) ? Visit(items, hint + "-item", pointer + "/items") : Primitive("value");
        if (max == 0)
        {
            return Rule(hint, "\"[\" space \"]\" space");
        }

        string body;
        if (min == 0)
        {
            body = $"\"[\" space ( {item}{MoreItems(item, 0, max is { } m ? m - 1 : null)} )? \"]\" space";
        }
        else
        {
            body = $"\"[\" space {item}{MoreItems(item, min - 1, max is { } m ? m - 1 : null)} \"]\" space";
        }

        return Rule(hint, body);
    }

    private static string MoreItems(string item, int min, int? max)
    {
        if (max == 0)
        {
            return string.Empty;
        }

        return $" ( \",\" space {item} ){Repetition(min, max)}";
    }

    private string StringRule(JsonElement schema, string hint, string pointer)
    {
        if (schema.TryGetProperty("format", out var format))
        {
            switch (format.GetString())
            {
                case "date":
                    return Primitive("date-string");
                case "time":
                    return Primitive("time-string");
                case "date-time":
                    return Primitive("date-time-string");
                case "uuid":
                    return Primitive("uuid");
                default:
                    break; // other formats are annotations
            }
        }

        var min = GetCount(schema, "minLength", pointer) ?? 0;
        var max = GetCount(schema, "maxLength", pointer);
        if (min == 0 && max is null)
        {
            return Primitive("string");
        }

        if (max < min)
        {
            throw new ArgumentException($"'maxLength' {max} is below 'minLength' {min} at '{pointer}'.");
        }

        if (min > MaxRepeat)
        {
            throw new NotSupportedException($"'minLength' {min} at '{pointer}' exceeds llama.cpp's repetition limit of {MaxRepeat}.");
        }

        Primitive("char");
        Primitive("space");
        return Rule(hint, $"\"\\\"\" char{Repetition(min, max)} \"\\\"\" space");
    }

    private static string Repetition(int min, int? max)
    {
        if (max > MaxRepeat)
        {
            max = null;
        }

        return (min, max) switch
        {
            (0, null) => "*",
            (1, null) => "+",
            (_, null) => string.Create(CultureInfo.InvariantCulture, $"{{{min},}}"),
            (0, 1) => "?",
            _ when min == max => string.Create(CultureInfo.InvariantCulture, $"{{{min}}}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{{{min},{max}}}"),
        };
    }

    private static int? GetCount(JsonElement schema, string keyword, string pointer)
    {
        if (!schema.TryGetProperty(keyword, out var value))
        {
            return null;
        }

        return value.TryGetInt32(out var count) && count >= 0
            ? count
            : throw new ArgumentException($"'{keyword}' at '{pointer}' must be a non-negative integer.");
    }

    private string Ref(string reference, string pointer)
    {
        var target = Target;
        if (target._refs.TryGetValue(_scope + reference, out var existing))
        {
            return existing;
        }

        if (!reference.StartsWith('#'))
        {
            throw new NotSupportedException($"'$ref' '{reference}' at '{pointer}' points outside the schema; only local references (#/$defs/...) are supported.");
        }

        var node = _root;
        foreach (var rawSegment in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = Uri.UnescapeDataString(rawSegment).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(segment, out node))
            {
                throw new ArgumentException($"'$ref' '{reference}' at '{pointer}' does not resolve.");
            }
        }

        // Reserve the name (and its place, before the rules of its body) so recursive references resolve to it.
        var name = UniqueName("ref-" + reference.Split('/')[^1]);
        target._refs[_scope + reference] = name;
        var index = target._rules.Count;
        target._rules.Add((name, string.Empty));
        var body = Visit(node, name + "-body", reference);
        target._rules[index] = (name, body);
        target._byBody.TryAdd(body, name);
        return name;
    }

    private string Literal(JsonElement value)
        => Gbnf.Literal(JsonSerializer.Serialize(value, PromptRenderer.Json)) + " " + Primitive("space");

    private string Primitive(string name)
    {
        var target = Target;
        if (target._names.Contains(name))
        {
            return name;
        }

        // Define dependencies first so llama.cpp's symbol counting never sees a forward reference inside a repetition.
        target._names.Add(name);
        if (PrimitiveDependencies.TryGetValue(name, out var dependencies))
        {
            foreach (var dependency in dependencies)
            {
                if (dependency != name && !target._names.Contains(dependency))
                {
                    Primitive(dependency);
                }
            }
        }

        target._rules.Add((name, Primitives[name]));
        return name;
    }

    /// <summary>Adds a rule for <paramref name="body"/> (reusing an identical one) and returns its name.</summary>
    private string Rule(string hint, string body)
    {
        var target = Target;
        if (target._byBody.TryGetValue(body, out var existing))
        {
            return existing;
        }

        var name = UniqueName(hint);
        target.Add(name, body);
        return name;
    }

    private void Add(string name, string body)
    {
        var target = Target;
        target._rules.Add((name, body));
        target._byBody.TryAdd(body, name);
    }

    private string UniqueName(string hint)
    {
        var target = Target;
        var sb = new StringBuilder();
        foreach (var c in hint)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        var baseName = sb.ToString().Trim('-');
        while (baseName.Contains("--", StringComparison.Ordinal))
        {
            baseName = baseName.Replace("--", "-", StringComparison.Ordinal);
        }

        if (baseName.Length == 0 || baseName == "root")
        {
            baseName = "r";
        }

        var name = baseName;
        for (var i = 1; !target._names.Add(name) || Primitives.ContainsKey(name); i++)
        {
            name = baseName + "-" + i.ToString(CultureInfo.InvariantCulture);
        }

        return name;
    }
}
