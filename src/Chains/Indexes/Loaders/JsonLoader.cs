using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chains.Indexes.Loaders;

/// <summary>
/// Loads the values a JSONPath selects from a JSON or JSON Lines file, one document each: <c>$.articles[*]</c> with
/// <c>ContentProperty = "body"</c> and <c>MetadataProperties = ["author", "tags"]</c> turns every article into a
/// document with its body as content and author and tags as metadata.
/// </summary>
/// <remarks>
/// Ids are <c>{source}#{concrete path}</c> (<c>data.json#$.articles[3]</c>); the concrete path is also in the
/// <see cref="DocumentMetadataKeys.JsonPath"/> metadata and the selection index in <see cref="DocumentMetadataKeys.Row"/>;
/// JSON Lines documents add the 1-based <see cref="DocumentMetadataKeys.Line"/>. Selected <c>null</c> values are
/// skipped. Content is decoded from JSON rather than sliced from the file, so the documents have no span.
/// </remarks>
public sealed class JsonLoader : IDocumentLoader
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonDocumentOptions Lenient = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private readonly LoaderFile _file;
    private readonly JsonLoaderOptions _options;
    private readonly JsonPath _path;
    private readonly bool _jsonLines;

    /// <summary>Initializes a loader for one file.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="options">The selection, content and metadata properties, encoding and source name;
    /// <see langword="null"/> loads the root value as one document.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, the source name is blank, the JSONPath is
    /// malformed (the message names the position), or a property name is blank.</exception>
    public JsonLoader(string path, JsonLoaderOptions? options = null)
    {
        _options = options ?? new JsonLoaderOptions();
        _file = LoaderFile.Create(path, _options);
        _path = JsonPath.Parse(_options.Path, nameof(options));
        ArgumentNullException.ThrowIfNull(_options.MetadataProperties, "options.MetadataProperties");
        if (_options.ContentProperty is { } content && string.IsNullOrWhiteSpace(content) || _options.MetadataProperties.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("ContentProperty and MetadataProperties must hold non-empty names.", nameof(options));
        }

        _jsonLines = _options.JsonLines ?? System.IO.Path.GetExtension(path).ToLowerInvariant() is ".jsonl" or ".ndjson";
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The file is not valid JSON (the message names the line), or a selected
    /// value lacks the content property.</exception>
    public async IAsyncEnumerable<Document> LoadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (text, encoding) = await _file.ReadTextAsync(_options.Encoding, cancellationToken);
        var fileMetadata = _file.Metadata().With(DocumentMetadataKeys.Encoding, encoding.WebName);
        var row = 0;
        foreach (var (root, rootPath, line) in Roots(text))
        {
            foreach (var (node, path) in _path.Select(root, rootPath))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (node is null)
                {
                    continue;
                }

                var metadata = fileMetadata.With(DocumentMetadataKeys.JsonPath, path).With(DocumentMetadataKeys.Row, row);
                if (line > 0)
                {
                    metadata = metadata.With(DocumentMetadataKeys.Line, line);
                }

                yield return new Document($"{_file.SourceName}#{path}", Content(node, path), metadata.With(ItemMetadata(node)), _file.SourceName);
                row++;
            }
        }
    }

    private IEnumerable<(JsonNode? Root, string Path, int Line)> Roots(string text)
    {
        if (!_jsonLines)
        {
            yield return (Parse(text, 0), "$", 0);
            yield break;
        }

        var index = 0;
        var lineNumber = 0;
        using var reader = new StringReader(text);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return (Parse(line, lineNumber), $"$[{index++}]", lineNumber);
        }
    }

    private JsonNode? Parse(string json, int line)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: Lenient);
        }
        catch (JsonException e)
        {
            var where = line > 0 ? $"line {line}" : $"line {e.LineNumber + 1}";
            throw new InvalidDataException($"{_file.SourceName} {where}: not valid JSON. {e.Message}", e);
        }
    }

    private string Content(JsonNode node, string path)
    {
        if (_options.ContentProperty is not { } property)
        {
            return Text(node);
        }

        if (node is JsonObject obj && obj.TryGetPropertyValue(property, out var value))
        {
            return value is null ? string.Empty : Text(value);
        }

        throw new InvalidDataException($"{_file.SourceName}: the value at {path} has no property '{property}'.");
    }

    private DocumentMetadata ItemMetadata(JsonNode node)
    {
        if (_options.MetadataProperties.Count == 0 || node is not JsonObject obj)
        {
            return DocumentMetadata.Empty;
        }

        var entries = new List<KeyValuePair<string, object?>>();
        foreach (var name in _options.MetadataProperties)
        {
            if (obj.TryGetPropertyValue(name, out var value))
            {
                entries.Add(new(name, MetadataValue(value)));
            }
        }

        return new DocumentMetadata(entries);
    }

    private static object? MetadataValue(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.TryGetValue<long>(out var l) ? (object)l : v.GetValue<double>(),
        JsonArray a when a.All(e => e?.GetValueKind() == JsonValueKind.String) => a.Select(e => e!.GetValue<string>()).ToArray(),
        _ => value.ToJsonString(Compact),
    };

    private static string Text(JsonNode node)
        => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node.ToJsonString(Compact);
}
