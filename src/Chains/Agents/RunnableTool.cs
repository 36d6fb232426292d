using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Agents;

/// <summary>
/// A step as a tool: the model's arguments become the step's input, the step runs (as a child of the tool call when an
/// agent runs it, so its events and spans nest there), and its output goes back to the model.
/// </summary>
/// <remarks>An object input type's properties are the tool's parameters; any other input type is one parameter.</remarks>
internal sealed class RunnableTool<TIn, TOut> : AIFunction
{
    private readonly Runnable<TIn, TOut> _step;
    private readonly Func<TOut, object?> _formatResult;
    private readonly JsonTypeInfo<TIn> _inputType;
    private readonly string? _parameterName;

    private readonly Func<string, TIn>? _fromText;

    public RunnableTool(Runnable<TIn, TOut> step, string name, string description, Func<TOut, object?> formatResult, JsonSerializerOptions serializerOptions, string? parameterName, string? parameterDescription, Func<string, TIn>? fromText = null)
    {
        _step = step;
        _fromText = fromText;
        _formatResult = formatResult;
        Name = name;
        Description = description;
        JsonSerializerOptions = serializerOptions;
        _inputType = fromText is null ? (JsonTypeInfo<TIn>)serializerOptions.GetTypeInfo(typeof(TIn)) : null!;

        // Inputs built from text (agent inputs, prompts) take one string.
        var schema = AIJsonUtilities.CreateJsonSchema(fromText is null ? typeof(TIn) : typeof(string), serializerOptions: serializerOptions);
        var isObject = parameterName is null
            && schema.ValueKind == JsonValueKind.Object
            && schema.TryGetProperty("type", out var type)
            && type.ValueKind == JsonValueKind.String
            && type.GetString() == "object";
        if (isObject)
        {
            JsonSchema = schema;
        }
        else
        {
            _parameterName = parameterName ?? "input";
            var parameter = JsonNode.Parse(schema.GetRawText())!;
            if (parameterDescription is not null && parameter is JsonObject parameterObject)
            {
                parameterObject["description"] = parameterDescription;
            }

            var wrapper = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { [_parameterName] = parameter },
                ["required"] = new JsonArray(_parameterName),
            };
            JsonSchema = JsonSerializer.SerializeToElement(wrapper, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonObject)));
        }
    }

    public override string Name { get; }

    public override string Description { get; }

    public override JsonElement JsonSchema { get; }

    public override JsonSerializerOptions JsonSerializerOptions { get; }

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var input = ReadInput(arguments);
        var output = arguments.Context is { } context && context.TryGetValue(AgentEngine.RunContextKey, out var value) && value is RunContext runContext
            ? await runContext.InvokeAsync(_step, input, cancellationToken)
            : await _step.InvokeAsync(input, null, cancellationToken);
        return _formatResult(output);
    }

    private TIn ReadInput(AIFunctionArguments arguments)
    {
        if (_parameterName is not null)
        {
            if (!arguments.TryGetValue(_parameterName, out var raw))
            {
                throw new ArgumentException($"The argument '{_parameterName}' is required.", nameof(arguments));
            }

            return Convert(raw);
        }

        var node = new JsonObject();
        foreach (var (key, raw) in arguments)
        {
            node[key] = ToNode(raw);
        }

        return node.Deserialize(_inputType) ?? throw new ArgumentException("The arguments do not describe a value.", nameof(arguments));
    }

    private TIn Convert(object? raw) => _fromText is not null ? _fromText(Text(raw)) : raw switch
    {
        TIn typed when raw is not JsonElement => typed,
        JsonElement element when typeof(TIn) == typeof(string) && element.ValueKind != JsonValueKind.String => (TIn)(object)element.GetRawText(),
        _ => ToNode(raw) is { } node ? node.Deserialize(_inputType)! : default!,
    };

    private static string Text(object? raw) => raw switch
    {
        null => string.Empty,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        JsonElement e => e.GetRawText(),
        _ => raw.ToString() ?? string.Empty,
    };

    private JsonNode? ToNode(object? raw) => raw switch
    {
        null => null,
        JsonElement element => JsonNode.Parse(element.GetRawText()),
        JsonNode node => node.DeepClone(),
        _ => JsonSerializer.SerializeToNode(raw, JsonSerializerOptions.GetTypeInfo(raw.GetType())),
    };
}
