using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Chains.Indexes;

namespace Chains.Pgvector;

/// <summary>
/// Maps <see cref="DocumentMetadata"/> to two <c>jsonb</c> values: <c>metadata</c> holds every entry as plain JSON (so
/// containment queries and the GIN index work), <c>metadata_types</c> names the keys whose CLR type JSON cannot tell
/// (<c>"date"</c> for <see cref="DateTimeOffset"/> stored as an ISO-8601 string, <c>"double"</c> for floating-point
/// numbers, which may be integral or a non-finite value stored as a string).
/// </summary>
internal static class MetadataJson
{
    // The JSON goes to PostgreSQL as a parameter, never into HTML or SQL text: keep non-ASCII text readable and compact.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The <c>metadata_types</c> tag of a <see cref="DateTimeOffset"/> value.</summary>
    public const string DateTag = "date";

    /// <summary>The <c>metadata_types</c> tag of a <see cref="double"/> value.</summary>
    public const string DoubleTag = "double";

    /// <summary>Serializes metadata.</summary>
    /// <param name="metadata">The metadata.</param>
    /// <returns>The <c>metadata</c> and <c>metadata_types</c> JSON texts.</returns>
    public static (string Values, string Types) Write(DocumentMetadata metadata)
    {
        if (metadata.Count == 0)
        {
            return ("{}", "{}");
        }

        var values = new ArrayBufferWriter<byte>();
        var types = new ArrayBufferWriter<byte>();
        using (var v = new Utf8JsonWriter(values, WriterOptions))
        using (var t = new Utf8JsonWriter(types, WriterOptions))
        {
            v.WriteStartObject();
            t.WriteStartObject();
            foreach (var (key, value) in metadata)
            {
                v.WritePropertyName(key);
                WriteValue(v, value);
                if (TagOf(value) is { } tag)
                {
                    t.WriteString(key, tag);
                }
            }

            v.WriteEndObject();
            t.WriteEndObject();
        }

        return (Encoding.UTF8.GetString(values.WrittenSpan), Encoding.UTF8.GetString(types.WrittenSpan));
    }

    /// <summary>Serializes <c>{ key: value }</c> for a containment test.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">A normalized scalar, or a string array.</param>
    /// <returns>The JSON text.</returns>
    public static string Object(string key, object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WritePropertyName(key);
            WriteValue(w, value);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads metadata back.</summary>
    /// <param name="values">The <c>metadata</c> JSON text.</param>
    /// <param name="types">The <c>metadata_types</c> JSON text.</param>
    /// <returns>The metadata.</returns>
    public static DocumentMetadata Read(string values, string types)
    {
        if (values.Length <= 2)
        {
            return DocumentMetadata.Empty;
        }

        using var valueDoc = JsonDocument.Parse(values);
        using var typeDoc = types.Length > 2 ? JsonDocument.Parse(types) : null;
        var entries = new List<KeyValuePair<string, object?>>();
        foreach (var property in valueDoc.RootElement.EnumerateObject())
        {
            string? tag = null;
            if (typeDoc is not null && typeDoc.RootElement.TryGetProperty(property.Name, out var t))
            {
                tag = t.GetString();
            }

            entries.Add(new(property.Name, ReadValue(property.Value, tag)));
        }

        return new DocumentMetadata(entries);
    }

    /// <summary>Gets the <c>metadata_types</c> tag of a value, or <see langword="null"/> when JSON keeps its type.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The tag.</returns>
    public static string? TagOf(object? value) => value switch
    {
        DateTimeOffset => DateTag,
        double => DoubleTag,
        _ => null,
    };

    /// <summary>Formats a date the way it is stored: ISO-8601 with its offset.</summary>
    /// <param name="value">The date.</param>
    /// <returns>The text.</returns>
    public static string FormatDate(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            case double d:
                writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset dto:
                writer.WriteStringValue(FormatDate(dto));
                break;
            case string[] list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    writer.WriteStringValue(item);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"Metadata value of type {value.GetType().Name} cannot be stored.", nameof(value));
        }
    }

    private static object? ReadValue(JsonElement element, string? tag)
    {
        switch (tag)
        {
            case DateTag when element.ValueKind == JsonValueKind.String:
                return DateTimeOffset.Parse(element.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            case DoubleTag when element.ValueKind == JsonValueKind.Number:
                return element.GetDouble();
            case DoubleTag when element.ValueKind == JsonValueKind.String:
                return double.Parse(element.GetString()!, CultureInfo.InvariantCulture);
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
            JsonValueKind.Array => element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToArray(),
            _ => null,
        };
    }
}
