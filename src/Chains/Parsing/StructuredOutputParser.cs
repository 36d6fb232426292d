using System.ComponentModel;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Parsing;

/// <summary>
/// Parses a model's JSON answer into a <typeparamref name="T"/> with System.Text.Json, and describes
/// <typeparamref name="T"/> to the model: as a JSON schema in <see cref="FormatInstructions"/>, and as a
/// <see cref="ResponseFormat"/> for clients that support structured output.
/// </summary>
/// <typeparam name="T">The type to produce. Services that enforce a response schema usually require an object type; wrap
/// lists and scalars in a record.</typeparam>
/// <remarks>
/// <para>The JSON is found like <see cref="JsonOutputParser"/> finds it (code fences and surrounding prose are
/// tolerated); when the answer holds no object or array, the whole trimmed answer is tried as JSON (so scalar types
/// work).</para>
/// <para>Streaming yields a partial <typeparamref name="T"/> each time the JSON received so far changes and deserializes
/// (snapshots that do not, e.g. because a required property has not arrived yet, are skipped), then the complete value
/// if it differs from the last one.</para>
/// <para>A typical chain: <c>prompt.Pipe(client.AsRunnable(parser.CreateChatOptions())).Pipe(parser)</c>, with
/// <see cref="FormatInstructions"/> in the prompt for clients without structured output.</para>
/// </remarks>
public sealed class StructuredOutputParser<T> : OutputParser<T>
{
    private static readonly JsonSerializerOptions DefaultSerializerOptions = CreateDefaultOptions();

    private static readonly JsonSerializerOptions PromptOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly JsonSerializerOptions _serializerOptions;

    /// <summary>Initializes a new instance of the <see cref="StructuredOutputParser{T}"/> class.</summary>
    /// <param name="serializerOptions">Options to read <typeparamref name="T"/> and build its schema with. The default
    /// reads web style: camelCase names matched case-insensitively, enums as strings, numbers also from strings, trailing
    /// commas and comments allowed.</param>
    /// <param name="schemaName">The schema's name in <see cref="ResponseFormat"/>; default: the type's name.</param>
    /// <param name="schemaDescription">The schema's description in <see cref="ResponseFormat"/>; default: the type's
    /// <see cref="DescriptionAttribute"/>, if any.</param>
    /// <exception cref="ArgumentException"><paramref name="schemaName"/> is empty or whitespace.</exception>
    public StructuredOutputParser(JsonSerializerOptions? serializerOptions = null, string? schemaName = null, string? schemaDescription = null)
    {
        if (schemaName is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(schemaName);
        }

        _serializerOptions = serializerOptions is null ? DefaultSerializerOptions
            : serializerOptions.TypeInfoResolver is null ? new JsonSerializerOptions(serializerOptions) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() }
            : serializerOptions;
        _serializerOptions.MakeReadOnly();

        JsonSchema = AIJsonUtilities.CreateJsonSchema(typeof(T), serializerOptions: _serializerOptions);
        ResponseFormat = ChatResponseFormat.ForJsonSchema(
            JsonSchema,
            schemaName ?? SchemaName(typeof(T)),
            schemaDescription ?? typeof(T).GetCustomAttribute<DescriptionAttribute>()?.Description);
        FormatInstructions =
            "Respond with only a JSON value that conforms to the JSON schema below, with no text before or after it.\n"
            + "```json\n" + JsonSerializer.Serialize(JsonSchema, PromptOptions) + "\n```";
    }

    /// <summary>Gets the JSON schema of <typeparamref name="T"/>, made with <see cref="AIJsonUtilities.CreateJsonSchema"/>.</summary>
    public JsonElement JsonSchema { get; }

    /// <summary>Gets a response format that asks clients supporting structured output for JSON matching
    /// <see cref="JsonSchema"/>; set it on <see cref="ChatOptions.ResponseFormat"/> or use <see cref="CreateChatOptions"/>.</summary>
    public ChatResponseFormatJson ResponseFormat { get; }

    /// <summary>Gets instructions asking for JSON that matches <see cref="JsonSchema"/>, with the schema included.</summary>
    public override string FormatInstructions { get; }

    /// <summary>Makes chat options that request <see cref="ResponseFormat"/>, for <c>client.AsRunnable(options)</c>.</summary>
    /// <param name="baseOptions">Options to start from (they are cloned, not changed); <see langword="null"/> for new ones.</param>
    /// <returns>The options, with <see cref="ChatOptions.ResponseFormat"/> set.</returns>
    public ChatOptions CreateChatOptions(ChatOptions? baseOptions = null)
    {
        var options = baseOptions?.Clone() ?? new ChatOptions();
        options.ResponseFormat = ResponseFormat;
        return options;
    }

    /// <summary>Deserializes the JSON in <paramref name="text"/> into a <typeparamref name="T"/>.</summary>
    /// <param name="text">The answer text.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="OutputParserException">The text holds no JSON, the JSON is cut off or invalid, it does not match
    /// <typeparamref name="T"/>, or it is <c>null</c>.</exception>
    public override T Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var status = new PartialJson().TryParseComplete(text, out var element, out var error);
        if (status == PartialJson.Status.Complete)
        {
            return Deserialize(element, text);
        }

        if (status == PartialJson.Status.NotFound && text.AsSpan().Trim() is { Length: > 0 } bare)
        {
            try
            {
                return Deserialize(JsonElement.Parse(bare), text);
            }
            catch (JsonException)
            {
                // Not a bare JSON value either: report the missing object below.
            }
        }

        throw new OutputParserException($"Expected JSON for {typeof(T).Name} matching the schema, but {error}.", text, typeof(T));
    }

    /// <summary>Yields a partial <typeparamref name="T"/> each time the JSON received so far changes and deserializes,
    /// then the complete value.</summary>
    /// <param name="input">The model's streamed chunks.</param>
    /// <param name="context">The run context of this step.</param>
    /// <param name="cancellationToken">A token that cancels the step.</param>
    /// <returns>The partial values.</returns>
    protected internal override async IAsyncEnumerable<T> TransformCoreAsync(IAsyncEnumerable<ChatResponse> input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = new JsonSnapshotReader();
        JsonElement? last = null;
        await foreach (var snapshot in reader.ReadAsync(input, cancellationToken))
        {
            T? value;
            try
            {
                value = snapshot.Deserialize<T>(_serializerOptions);
            }
            catch (Exception ex) when (IsDeserializationError(ex))
            {
                continue;
            }

            if (value is not null)
            {
                last = snapshot;
                yield return value;
            }
        }

        var text = reader.Text;
        if (last is { } previous
            && new PartialJson().TryParseComplete(text, out var complete, out _) == PartialJson.Status.Complete
            && JsonElement.DeepEquals(previous, complete))
        {
            yield break;
        }

        yield return Parse(text);
    }

    private static JsonSerializerOptions CreateDefaultOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            AllowTrailingCommas = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly();
        return options;
    }

    private static string SchemaName(Type type)
    {
        var name = new StringBuilder();
        foreach (var c in type.Name)
        {
            if (c == '`')
            {
                break;
            }

            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        foreach (var argument in type.GenericTypeArguments)
        {
            name.Append('_').Append(SchemaName(argument));
        }

        return name.ToString();
    }

    private static bool IsDeserializationError(Exception ex)
        => ex is JsonException or NotSupportedException or InvalidOperationException or FormatException;

    private T Deserialize(JsonElement element, string text)
    {
        try
        {
            return element.Deserialize<T>(_serializerOptions)
                ?? throw new OutputParserException($"Expected JSON for {typeof(T).Name}, but the answer is null.", text, typeof(T));
        }
        catch (Exception ex) when (IsDeserializationError(ex))
        {
            throw new OutputParserException($"Expected JSON matching {typeof(T).Name}, but it does not fit: {ex.Message}", text, typeof(T), ex);
        }
    }
}
