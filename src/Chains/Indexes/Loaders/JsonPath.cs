using System.Globalization;
using System.Text.Json.Nodes;

namespace Chains.Indexes.Loaders;

/// <summary>A compiled JSONPath of the subset <see cref="JsonLoaderOptions.Path"/> documents.</summary>
internal sealed class JsonPath
{
    private readonly Step[] _steps;

    private JsonPath(Step[] steps) => _steps = steps;

    /// <summary>Compiles a path.</summary>
    /// <exception cref="ArgumentException">The path is malformed; the message names the position.</exception>
    public static JsonPath Parse(string path, string? paramName = null)
    {
        paramName ??= nameof(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var text = path.Trim();
        if (text[0] != '$')
        {
            throw Bad(paramName, path, 0, "must start with '$'");
        }

        var steps = new List<Step>();
        var i = 1;
        while (i < text.Length)
        {
            var deep = false;
            if (text[i] == '.')
            {
                if (i + 1 < text.Length && text[i + 1] == '.')
                {
                    deep = true;
                    i += 2;
                }
                else
                {
                    i++;
                }

                if (i < text.Length && text[i] == '[')
                {
                    if (!deep)
                    {
                        throw Bad(paramName, path, i, "'.[' is not valid; write '[' directly");
                    }
                }
                else
                {
                    var start = i;
                    while (i < text.Length && text[i] != '.' && text[i] != '[')
                    {
                        i++;
                    }

                    var name = text[start..i];
                    if (name.Length == 0)
                    {
                        throw Bad(paramName, path, start, "a property name is missing");
                    }

                    steps.Add(name == "*" ? new Step(StepKind.Wildcard, null, 0, deep) : new Step(StepKind.Property, name, 0, deep));
                    continue;
                }
            }

            if (text[i] != '[')
            {
                throw Bad(paramName, path, i, "expected '.' or '['");
            }

            var close = text.IndexOf(']', i);
            if (close < 0)
            {
                throw Bad(paramName, path, i, "'[' is not closed");
            }

            var inner = text[(i + 1)..close].Trim();
            if (inner == "*")
            {
                steps.Add(new Step(StepKind.Wildcard, null, 0, deep));
            }
            else if (inner.Length >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[^1] == inner[0])
            {
                steps.Add(new Step(StepKind.Property, inner[1..^1], 0, deep));
            }
            else if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
            {
                steps.Add(new Step(StepKind.Index, null, index, deep));
            }
            else
            {
                throw Bad(paramName, path, i, $"'[{inner}]' is not an index, '*' or a quoted name");
            }

            i = close + 1;
        }

        return new JsonPath([.. steps]);
    }

    /// <summary>Selects the values the path names under <paramref name="root"/>, in document order, with their concrete paths.</summary>
    public IEnumerable<(JsonNode? Node, string Path)> Select(JsonNode? root, string rootPath)
    {
        IEnumerable<(JsonNode? Node, string Path)> current = [(root, rootPath)];
        foreach (var step in _steps)
        {
            var previous = current;
            current = step.Deep
                ? previous.SelectMany(c => SelfAndDescendants(c.Node, c.Path)).SelectMany(c => Apply(step, c.Node, c.Path))
                : previous.SelectMany(c => Apply(step, c.Node, c.Path));
        }

        return current;
    }

    /// <summary>Appends a property name to a concrete path: <c>.name</c> for identifiers, <c>['name']</c> otherwise.</summary>
    public static string Child(string path, string name)
        => name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_')
            ? $"{path}.{name}"
            : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

    private static IEnumerable<(JsonNode? Node, string Path)> Apply(Step step, JsonNode? node, string path)
    {
        switch (step.Kind, node)
        {
            case (StepKind.Property, JsonObject obj) when obj.TryGetPropertyValue(step.Name!, out var value):
                yield return (value, Child(path, step.Name!));
                break;
            case (StepKind.Index, JsonArray array):
                var index = step.Index < 0 ? array.Count + step.Index : step.Index;
                if (index >= 0 && index < array.Count)
                {
                    yield return (array[index], $"{path}[{index}]");
                }

                break;
            case (StepKind.Wildcard, JsonArray array):
                for (var i = 0; i < array.Count; i++)
                {
                    yield return (array[i], $"{path}[{i}]");
                }

                break;
            case (StepKind.Wildcard, JsonObject obj):
                foreach (var (name, value) in obj)
                {
                    yield return (value, Child(path, name));
                }

                break;
            default:
                break;
        }
    }

    private static IEnumerable<(JsonNode? Node, string Path)> SelfAndDescendants(JsonNode? node, string path)
    {
        yield return (node, path);
        IEnumerable<(JsonNode? Node, string Path)> children = node switch
        {
            JsonArray array => array.Select((child, i) => (child, $"{path}[{i}]")),
            JsonObject obj => obj.Select(p => (p.Value, Child(path, p.Key))),
            _ => [],
        };
        foreach (var (child, childPath) in children)
        {
            foreach (var item in SelfAndDescendants(child, childPath))
            {
                yield return item;
            }
        }
    }

    private static ArgumentException Bad(string paramName, string path, int position, string problem)
        => new($"The JSONPath '{path}' is not valid at position {position}: {problem}.", paramName);

    private enum StepKind
    {
        Property,
        Index,
        Wildcard,
    }

    private readonly record struct Step(StepKind Kind, string? Name, int Index, bool Deep);
}
