using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Chains.Agents;

/// <summary>
/// Checks a model's arguments against a tool's JSON schema before the tool runs: required arguments present, top-level
/// types and enumerations respected, no unknown names when the schema forbids them. Produces one message naming every
/// problem, so the model can fix them all in its next call.
/// </summary>
/// <remarks>Tolerant where tools are: numbers and booleans sent as strings pass when they parse (M.E.AI's default
/// serializer options read them).</remarks>
internal sealed class ToolArgumentValidator
{
    private static readonly ToolArgumentValidator Empty = new([], [], allowAdditional: true);

    private readonly Property[] _properties;
    private readonly string[] _required;
    private readonly bool _allowAdditional;

    private ToolArgumentValidator(Property[] properties, string[] required, bool allowAdditional)
    {
        _properties = properties;
        _required = required;
        _allowAdditional = allowAdditional;
    }

    /// <summary>Gets a value indicating whether there is nothing to check.</summary>
    public bool IsTrivial => _properties.Length == 0 && _required.Length == 0 && _allowAdditional;

    public static ToolArgumentValidator Create(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return Empty;
        }

        var properties = new List<Property>();
        if (schema.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
        {
            foreach (var prop in props.EnumerateObject())
            {
                properties.Add(Property.Create(prop.Name, prop.Value));
            }
        }

        var required = new List<string>();
        if (schema.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in req.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && name.GetString() is { } s)
                {
                    required.Add(s);
                }
            }
        }

        var allowAdditional = !(schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False);
        return properties.Count == 0 && required.Count == 0 && allowAdditional ? Empty : new ToolArgumentValidator([.. properties], [.. required], allowAdditional);
    }

    /// <summary>Returns <see langword="null"/> when the arguments are valid, otherwise a message listing the problems.</summary>
    public string? Validate(IDictionary<string, object?>? arguments)
    {
        if (IsTrivial)
        {
            return null;
        }

        List<string>? problems = null;
        foreach (var name in _required)
        {
            if (arguments is null || !arguments.ContainsKey(name))
            {
                (problems ??= []).Add($"'{name}' is required");
            }
        }

        if (arguments is not null)
        {
            foreach (var (name, value) in arguments)
            {
                var property = Find(name);
                if (property is null)
                {
                    if (!_allowAdditional)
                    {
                        (problems ??= []).Add($"'{name}' is not a parameter (expected {ExpectedNames()})");
                    }

                    continue;
                }

                if (property.Check(value) is { } problem)
                {
                    (problems ??= []).Add(problem);
                }
            }
        }

        return problems is null ? null : string.Join("; ", problems) + ".";
    }

    private Property? Find(string name)
    {
        foreach (var property in _properties)
        {
            if (string.Equals(property.Name, name, StringComparison.Ordinal))
            {
                return property;
            }
        }

        return null;
    }

    private string ExpectedNames()
        => _properties.Length == 0 ? "no arguments" : string.Join(", ", _properties.Select(p => $"'{p.Name}'"));

    private sealed class Property
    {
        private readonly string[]? _types;
        private readonly JsonElement[]? _enum;

        private Property(string name, string[]? types, JsonElement[]? enumValues)
        {
            Name = name;
            _types = types;
            _enum = enumValues;
        }

        public string Name { get; }

        public static Property Create(string name, JsonElement schema)
        {
            string[]? types = null;
            JsonElement[]? enumValues = null;
            if (schema.ValueKind == JsonValueKind.Object)
            {
                if (schema.TryGetProperty("type", out var type))
                {
                    types = type.ValueKind switch
                    {
                        JsonValueKind.String => [type.GetString()!],
                        JsonValueKind.Array => [.. type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!)],
                        _ => null,
                    };
                }

                if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array)
                {
                    enumValues = [.. values.EnumerateArray().Select(v => v.Clone())];
                }
            }

            return new Property(name, types is { Length: > 0 } ? types : null, enumValues);
        }

        public string? Check(object? value)
        {
            if (_types is null && _enum is null)
            {
                return null;
            }

            JsonElement element;
            try
            {
                element = value switch
                {
                    JsonElement e => e,
                    null => default,
                    _ => JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())),
                };
            }
            catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
            {
                // A CLR value the serializer cannot describe: let the tool decide.
                return null;
            }

            if (_types is not null && !_types.Any(t => Matches(t, element)))
            {
                return $"'{Name}' must be {Describe(_types)}, got {Show(element)}";
            }

            if (_enum is not null && !_enum.Any(e => EnumMatches(e, element)))
            {
                return $"'{Name}' must be one of {string.Join(", ", _enum.Select(e => e.GetRawText()))}, got {Show(element)}";
            }

            return null;
        }

        private static bool Matches(string type, JsonElement value) => (type, value.ValueKind) switch
        {
            ("null", JsonValueKind.Null or JsonValueKind.Undefined) => true,
            ("string", JsonValueKind.String) => true,
            ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
            ("boolean", JsonValueKind.String) => bool.TryParse(value.GetString(), out _),
            ("number", JsonValueKind.Number) => true,
            ("number", JsonValueKind.String) => double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            ("integer", JsonValueKind.Number) => value.TryGetInt64(out _) || (value.TryGetDecimal(out var d) && d == decimal.Truncate(d)),
            ("integer", JsonValueKind.String) => long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            ("array", JsonValueKind.Array) => true,
            ("object", JsonValueKind.Object) => true,
            _ => false,
        };

        private static bool EnumMatches(JsonElement allowed, JsonElement value)
        {
            if (allowed.ValueKind == JsonValueKind.String && value.ValueKind == JsonValueKind.String)
            {
                // Enum names bind case-insensitively in M.E.AI's default options.
                return string.Equals(allowed.GetString(), value.GetString(), StringComparison.OrdinalIgnoreCase);
            }

            return JsonElement.DeepEquals(allowed, value);
        }

        private static string Describe(string[] types)
        {
            var builder = new StringBuilder();
            for (var i = 0; i < types.Length; i++)
            {
                if (i > 0)
                {
                    builder.Append(i == types.Length - 1 ? " or " : ", ");
                }

                builder.Append(types[i] switch
                {
                    "integer" => "an integer",
                    "object" => "an object",
                    "array" => "an array",
                    "null" => "null",
                    var other => "a " + other,
                });
            }

            return builder.ToString();
        }

        private static string Show(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Undefined)
            {
                return "null";
            }

            var text = value.GetRawText();
            return text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
        }
    }
}
