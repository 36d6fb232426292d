using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>JSON helpers over <see cref="AIJsonUtilities.DefaultOptions"/>, which knows every Microsoft.Extensions.AI content type.</summary>
internal static class ChatJson
{
    /// <summary>Gets <see cref="AIJsonUtilities.DefaultOptions"/> without indentation: one value per line.</summary>
    public static JsonSerializerOptions Compact { get; } = CreateCompact();

    private static JsonTypeInfo<ChatMessage> MessageInfo { get; } = (JsonTypeInfo<ChatMessage>)Compact.GetTypeInfo(typeof(ChatMessage));

    /// <summary>Writes messages as one JSON array followed by a line feed (compact JSON holds no raw line feed).</summary>
    public static byte[] ToLine(IReadOnlyList<ChatMessage> messages)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * messages.Count + 2);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Compact.Encoder, Indented = false }))
        {
            writer.WriteStartArray();
            foreach (var message in messages)
            {
                JsonSerializer.Serialize(writer, message, MessageInfo);
            }

            writer.WriteEndArray();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads one line written by <see cref="ToLine"/> and adds its messages to <paramref name="into"/>.</summary>
    /// <exception cref="JsonException">The line is not a JSON array of messages.</exception>
    public static void ReadLine(ReadOnlySpan<byte> line, List<ChatMessage> into)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("Expected a JSON array of chat messages.");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            into.Add(JsonSerializer.Deserialize(ref reader, MessageInfo) ?? throw new JsonException("A chat message is null."));
        }

        if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
        {
            throw new JsonException("Unexpected data after the JSON array of chat messages.");
        }
    }

    /// <summary>Gets a value as model-facing text: strings as they are, anything else as compact JSON.</summary>
    public static string ToText(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? string.Empty,
        _ => JsonSerializer.Serialize(value, Compact.GetTypeInfo(value.GetType())),
    };

    /// <summary>Reads an integer additional property whether it holds a number or, after a JSON round trip, a <see cref="JsonElement"/>.</summary>
    public static bool TryGetInt32(AdditionalPropertiesDictionary? properties, string key, out int value)
    {
        value = 0;
        if (properties is null || !properties.TryGetValue(key, out var raw))
        {
            return false;
        }

        switch (raw)
        {
            case int i:
                value = i;
                return true;
            case long l when l is >= int.MinValue and <= int.MaxValue:
                value = (int)l;
                return true;
            case JsonElement { ValueKind: JsonValueKind.Number } e:
                return e.TryGetInt32(out value);
            case string s:
                return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
            default:
                return false;
        }
    }

    private static JsonSerializerOptions CreateCompact()
    {
        var options = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions) { WriteIndented = false };
        options.MakeReadOnly();
        return options;
    }
}
