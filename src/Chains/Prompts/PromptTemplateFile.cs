using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Chains.Prompts;

/// <summary>
/// Loads and saves prompt templates as JSON (<c>.json</c>) or YAML (<c>.yaml</c>, <c>.yml</c>) files in LangChain's
/// layout.
/// </summary>
/// <remarks>
/// <para>A text prompt: <c>{ "_type": "prompt", "template": "...", "input_variables": [...], "partial_variables": {...} }</c>.
/// A chat prompt: <c>{ "_type": "chat", "messages": [ {"role": "system", "template": "..."}, {"placeholder": "history",
/// "optional": true} ], "input_variables": [...] }</c>; roles are <c>system</c>, <c>user</c> (or <c>human</c>),
/// <c>assistant</c> (or <c>ai</c>) and <c>tool</c>.</para>
/// <para><c>input_variables</c> is optional when loading; when present it must list exactly the variables the input
/// provides (text variables and required placeholders without a partial value). Partial values are strings, numbers,
/// booleans or null. The LangChain fields <c>template_format</c> (only <c>f-string</c>), <c>output_parser</c>,
/// <c>validate_template</c>, <c>optional_variables</c>, <c>input_types</c>, <c>name</c>, <c>metadata</c> and <c>tags</c>
/// are accepted and ignored; any other field is an error, which catches misspelled field names.</para>
/// </remarks>
public static class PromptTemplateFile
{
    private static readonly string[] IgnoredFields = ["template_format", "output_parser", "validate_template", "optional_variables", "input_types", "name", "metadata", "tags"];
    private static readonly JsonDocumentOptions JsonReadOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };
    private static readonly JsonWriterOptions JsonWriteOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Loads a text prompt template.</summary>
    /// <param name="path">The file; its extension picks the format.</param>
    /// <param name="options">Culture and input checking for the loaded template.</param>
    /// <returns>The template.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or has an unsupported extension.</exception>
    /// <exception cref="PromptFileException">The file is malformed or holds a chat prompt.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static PromptTemplate LoadPrompt(string path, PromptTemplateOptions? options = null)
    {
        var format = GetFormat(path);
        return ReadPrompt(path, Parse(path, File.ReadAllText(path), format), options);
    }

    /// <summary>Loads a text prompt template asynchronously.</summary>
    /// <param name="path">The file; its extension picks the format.</param>
    /// <param name="options">Culture and input checking for the loaded template.</param>
    /// <param name="cancellationToken">A token that cancels the read.</param>
    /// <returns>The template.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or has an unsupported extension.</exception>
    /// <exception cref="PromptFileException">The file is malformed or holds a chat prompt.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static async Task<PromptTemplate> LoadPromptAsync(string path, PromptTemplateOptions? options = null, CancellationToken cancellationToken = default)
    {
        var format = GetFormat(path);
        var text = await File.ReadAllTextAsync(path, cancellationToken);
        return ReadPrompt(path, Parse(path, text, format), options);
    }

    /// <summary>Loads a chat prompt template.</summary>
    /// <param name="path">The file; its extension picks the format.</param>
    /// <param name="options">Culture and input checking for the loaded template.</param>
    /// <returns>The template.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or has an unsupported extension.</exception>
    /// <exception cref="PromptFileException">The file is malformed or holds a text prompt.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ChatPromptTemplate LoadChatPrompt(string path, PromptTemplateOptions? options = null)
    {
        var format = GetFormat(path);
        return ReadChat(path, Parse(path, File.ReadAllText(path), format), options);
    }

    /// <summary>Loads a chat prompt template asynchronously.</summary>
    /// <param name="path">The file; its extension picks the format.</param>
    /// <param name="options">Culture and input checking for the loaded template.</param>
    /// <param name="cancellationToken">A token that cancels the read.</param>
    /// <returns>The template.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or has an unsupported extension.</exception>
    /// <exception cref="PromptFileException">The file is malformed or holds a text prompt.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static async Task<ChatPromptTemplate> LoadChatPromptAsync(string path, PromptTemplateOptions? options = null, CancellationToken cancellationToken = default)
    {
        var format = GetFormat(path);
        var text = await File.ReadAllTextAsync(path, cancellationToken);
        return ReadChat(path, Parse(path, text, format), options);
    }

    /// <summary>Saves a text prompt template (UTF-8, overwriting the file).</summary>
    /// <param name="template">The template.</param>
    /// <param name="path">The file; its extension picks the format.</param>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The extension is unsupported, or a partial value cannot be stored (a factory or
    /// a value that is not a string, number, boolean or null).</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(PromptTemplate template, string path)
    {
        ArgumentNullException.ThrowIfNull(template);
        File.WriteAllText(path, Write(ToNode(template), GetFormat(path)));
    }

    /// <summary>Saves a chat prompt template (UTF-8, overwriting the file).</summary>
    /// <param name="template">The template.</param>
    /// <param name="path">The file; its extension picks the format.</param>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The extension is unsupported, a role has no file name, or a partial value cannot
    /// be stored.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(ChatPromptTemplate template, string path)
    {
        ArgumentNullException.ThrowIfNull(template);
        File.WriteAllText(path, Write(ToNode(template), GetFormat(path)));
    }

    /// <summary>Saves a text prompt template asynchronously (UTF-8, overwriting the file).</summary>
    /// <param name="template">The template.</param>
    /// <param name="path">The file; its extension picks the format.</param>
    /// <param name="cancellationToken">A token that cancels the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The extension is unsupported, or a partial value cannot be stored.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static Task SaveAsync(PromptTemplate template, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        return File.WriteAllTextAsync(path, Write(ToNode(template), GetFormat(path)), cancellationToken);
    }

    /// <summary>Saves a chat prompt template asynchronously (UTF-8, overwriting the file).</summary>
    /// <param name="template">The template.</param>
    /// <param name="path">The file; its extension picks the format.</param>
    /// <param name="cancellationToken">A token that cancels the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The extension is unsupported, a role has no file name, or a partial value cannot
    /// be stored.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static Task SaveAsync(ChatPromptTemplate template, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        return File.WriteAllTextAsync(path, Write(ToNode(template), GetFormat(path)), cancellationToken);
    }

    private static bool GetFormat(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var extension = Path.GetExtension(path);
        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        throw new ArgumentException($"The prompt file '{path}' has the extension '{extension}'; use .json, .yaml or .yml.", nameof(path));
    }

    // ---------------------------------------------------------------- reading

    private static JsonObject Parse(string path, string text, bool yaml)
    {
        JsonNode? root;
        if (yaml)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException ex)
            {
                throw new PromptFileException(path, null, $"not valid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}", ex);
            }

            root = stream.Documents.Count == 0 ? null : FromYaml(path, stream.Documents[0].RootNode, "");
        }
        else
        {
            try
            {
                root = JsonNode.Parse(text, documentOptions: JsonReadOptions);
            }
            catch (JsonException ex)
            {
                throw new PromptFileException(path, null, $"not valid JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {ex.Message}", ex);
            }
        }

        if (root is not JsonObject obj)
        {
            throw new PromptFileException(path, null, "the file must hold one object with a \"_type\" field (\"prompt\" or \"chat\").");
        }

        try
        {
            // Materializes the properties, which reports duplicate JSON keys.
            _ = obj.Count;
        }
        catch (ArgumentException ex)
        {
            throw new PromptFileException(path, null, $"the file has a duplicate field: {ex.Message}", ex);
        }

        return obj;
    }

    private static JsonNode? FromYaml(string path, YamlNode node, string at)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw new PromptFileException(path, at.Length == 0 ? null : at, $"keys must be plain names (line {keyNode.Start.Line}).");
                    }

                    var child = at.Length == 0 ? key : $"{at}.{key}";
                    if (obj.ContainsKey(key))
                    {
                        throw new PromptFileException(path, child, $"the field appears twice (line {keyNode.Start.Line}); keep one.");
                    }

                    obj[key] = FromYaml(path, valueNode, child);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                var index = 0;
                foreach (var item in sequence.Children)
                {
                    array.Add(FromYaml(path, item, $"{at}[{index++}]"));
                }

                return array;
            case YamlScalarNode scalar:
                var value = scalar.Value ?? string.Empty;
                if (scalar.Style is not ScalarStyle.Plain)
                {
                    return JsonValue.Create(value);
                }

                switch (value)
                {
                    case "" or "~" or "null" or "Null" or "NULL":
                        return null;
                    case "true" or "True" or "TRUE":
                        return JsonValue.Create(true);
                    case "false" or "False" or "FALSE":
                        return JsonValue.Create(false);
                }

                if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                {
                    return JsonValue.Create(integer);
                }

                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
                {
                    return JsonValue.Create(real);
                }

                return JsonValue.Create(value);
            default:
                throw new PromptFileException(path, at.Length == 0 ? null : at, $"unsupported YAML node at line {node.Start.Line}.");
        }
    }

    private static PromptTemplate ReadPrompt(string path, JsonObject root, PromptTemplateOptions? options)
    {
        var reader = new FileReader(path);
        var type = reader.CheckType(root, "prompt");
        if (type != "prompt")
        {
            throw new PromptFileException(path, "_type", $"the file holds a '{type}' template; load it with {nameof(LoadChatPrompt)}.");
        }

        reader.CheckFields(root, ["_type", "template", "input_variables", "partial_variables"]);
        var text = reader.RequireString(root, "template");
        PromptTemplate template;
        try
        {
            template = new PromptTemplate(text, options);
        }
        catch (PromptTemplateException ex)
        {
            throw new PromptFileException(path, "template", ex.Message, ex);
        }

        var core = reader.ApplyPartials(root, template.Core);
        reader.CheckInputVariables(root, core);
        return PromptTemplate.FromCore(core);
    }

    private static ChatPromptTemplate ReadChat(string path, JsonObject root, PromptTemplateOptions? options)
    {
        var reader = new FileReader(path);
        var type = reader.CheckType(root, "chat");
        if (type != "chat")
        {
            throw new PromptFileException(path, "_type", $"the file holds a '{type}' template; load it with {nameof(LoadPrompt)}.");
        }

        reader.CheckFields(root, ["_type", "messages", "input_variables", "partial_variables"]);
        var messagesNode = root["messages"] as JsonArray
            ?? throw new PromptFileException(path, "messages", root.ContainsKey("messages") ? "must be a list of messages." : "is required: list the messages, e.g. [{\"role\": \"user\", \"template\": \"{question}\"}].");
        var messages = new List<ChatMessageTemplate>(messagesNode.Count);
        for (var i = 0; i < messagesNode.Count; i++)
        {
            var at = $"messages[{i}]";
            if (messagesNode[i] is not JsonObject message)
            {
                throw new PromptFileException(path, at, "must be an object with \"role\" and \"template\", or with \"placeholder\".");
            }

            if (message.ContainsKey("placeholder"))
            {
                reader.CheckFields(message, ["placeholder", "optional"], at);
                var name = reader.RequireString(message, "placeholder", at);
                var optional = message["optional"] switch
                {
                    null => false,
                    JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
                    _ => throw new PromptFileException(path, $"{at}.optional", "must be true or false."),
                };
                if (!ParsedTemplate.IsIdentifier(name))
                {
                    throw new PromptFileException(path, $"{at}.placeholder", $"'{name}' is not a valid name; use letters, digits and underscores, starting with a letter or underscore.");
                }

                messages.Add(ChatMessageTemplate.Placeholder(name, optional));
                continue;
            }

            reader.CheckFields(message, ["role", "template"], at);
            var roleName = reader.RequireString(message, "role", at);
            var role = roleName switch
            {
                "system" => ChatRole.System,
                "user" or "human" => ChatRole.User,
                "assistant" or "ai" => ChatRole.Assistant,
                "tool" => ChatRole.Tool,
                _ => throw new PromptFileException(path, $"{at}.role", $"'{roleName}' is not a role; use system, user (or human), assistant (or ai) or tool."),
            };
            var text = reader.RequireString(message, "template", at);
            try
            {
                messages.Add(ChatMessageTemplate.FromRole(role, text));
            }
            catch (PromptTemplateException ex)
            {
                throw new PromptFileException(path, $"{at}.template", ex.Message, ex);
            }
        }

        ChatPromptTemplate template;
        try
        {
            template = new ChatPromptTemplate(messages, options);
        }
        catch (ArgumentException ex)
        {
            throw new PromptFileException(path, "messages", ex.Message, ex);
        }

        var core = reader.ApplyPartials(root, template.Core);
        reader.CheckInputVariables(root, core);
        return ChatPromptTemplate.FromCore(template.Messages, core);
    }

    private sealed class FileReader(string path)
    {
        public string CheckType(JsonObject root, string fallback)
        {
            if (!root.TryGetPropertyValue("_type", out var node))
            {
                return fallback;
            }

            return node is JsonValue value && value.GetValueKind() == JsonValueKind.String
                ? value.GetValue<string>()
                : throw new PromptFileException(path, "_type", "must be \"prompt\" or \"chat\".");
        }

        public void CheckFields(JsonObject obj, string[] known, string? at = null)
        {
            foreach (var (name, value) in obj)
            {
                if (known.Contains(name))
                {
                    continue;
                }

                var field = at is null ? name : $"{at}.{name}";
                if (at is null && IgnoredFields.Contains(name))
                {
                    if (name == "template_format" && !(value is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "f-string"))
                    {
                        throw new PromptFileException(path, field, "only \"f-string\" templates ({name} placeholders) are supported.");
                    }

                    continue;
                }

                throw new PromptFileException(path, field, $"unknown field; the fields here are {string.Join(", ", known)}.");
            }
        }

        public string RequireString(JsonObject obj, string name, string? at = null)
        {
            var field = at is null ? name : $"{at}.{name}";
            if (!obj.TryGetPropertyValue(name, out var node) || node is null)
            {
                throw new PromptFileException(path, field, "is required.");
            }

            return node is JsonValue value && value.GetValueKind() == JsonValueKind.String
                ? value.GetValue<string>()
                : throw new PromptFileException(path, field, $"must be a string, not {Describe(node)}.");
        }

        public TemplateCore ApplyPartials(JsonObject root, TemplateCore core)
        {
            if (!root.TryGetPropertyValue("partial_variables", out var node) || node is null)
            {
                return core;
            }

            if (node is not JsonObject partials)
            {
                throw new PromptFileException(path, "partial_variables", $"must be an object of name: value pairs, not {Describe(node)}.");
            }

            foreach (var (name, valueNode) in partials)
            {
                var field = $"partial_variables.{name}";
                object? value = valueNode switch
                {
                    null => null,
                    JsonValue v => v.GetValueKind() switch
                    {
                        JsonValueKind.String => v.GetValue<string>(),
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        JsonValueKind.Number when v.TryGetValue<long>(out var l) => l,
                        JsonValueKind.Number when v.TryGetValue<int>(out var i) => (long)i,
                        JsonValueKind.Number => v.GetValue<double>(),
                        _ => throw new PromptFileException(path, field, $"must be a string, number, boolean or null, not {Describe(v)}."),
                    },
                    _ => throw new PromptFileException(path, field, $"must be a string, number, boolean or null, not {Describe(valueNode)}."),
                };
                if (!core.SlotOf.TryGetValue(name, out var slot) || core.Kinds[slot] != SlotKind.Text)
                {
                    throw new PromptFileException(path, field, $"the template has no variable '{name}'; its variables are: {core.DescribeVariables()}.");
                }

                core = core.WithPartial(name, value, "name");
            }

            return core;
        }

        public void CheckInputVariables(JsonObject root, TemplateCore core)
        {
            if (!root.TryGetPropertyValue("input_variables", out var node) || node is null)
            {
                return;
            }

            if (node is not JsonArray array)
            {
                throw new PromptFileException(path, "input_variables", $"must be a list of names, not {Describe(node)}.");
            }

            var declared = new List<string>(array.Count);
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
                {
                    throw new PromptFileException(path, $"input_variables[{i}]", "must be a string.");
                }

                declared.Add(v.GetValue<string>());
            }

            var unused = declared.Except(core.InputVariables, StringComparer.Ordinal).ToArray();
            var undeclared = core.InputVariables.Except(declared, StringComparer.Ordinal).ToArray();
            if (unused.Length == 0 && undeclared.Length == 0)
            {
                return;
            }

            var problems = new List<string>(2);
            if (unused.Length > 0)
            {
                problems.Add($"it declares {Names(unused)} that the template does not use (or that have a partial value)");
            }

            if (undeclared.Length > 0)
            {
                problems.Add($"the template uses {Names(undeclared)} that it does not declare");
            }

            throw new PromptFileException(path, "input_variables", $"{string.Join(", and ", problems)}; list exactly: {string.Join(", ", core.InputVariables)}.");
        }

        private static string Names(string[] names) => string.Join(", ", names.Select(n => $"'{n}'"));

        private static string Describe(JsonNode node) => node.GetValueKind() switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "a list",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };
    }

    // ---------------------------------------------------------------- writing

    private static JsonObject ToNode(PromptTemplate template)
    {
        var root = new JsonObject
        {
            ["_type"] = "prompt",
            ["template"] = template.Template,
            ["input_variables"] = new JsonArray(template.InputVariables.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
        };
        AddPartials(root, template.Core, nameof(template));
        return root;
    }

    private static JsonObject ToNode(ChatPromptTemplate template)
    {
        var messages = new JsonArray();
        foreach (var message in template.Messages)
        {
            if (message.IsPlaceholder)
            {
                messages.Add(new JsonObject { ["placeholder"] = message.PlaceholderName, ["optional"] = message.IsOptional });
                continue;
            }

            var role = message.Role!.Value;
            var roleName = role == ChatRole.System ? "system"
                : role == ChatRole.User ? "user"
                : role == ChatRole.Assistant ? "assistant"
                : role == ChatRole.Tool ? "tool"
                : throw new ArgumentException($"The role '{role}' cannot be saved; prompt files hold system, user, assistant and tool messages.", nameof(template));
            messages.Add(new JsonObject { ["role"] = roleName, ["template"] = message.Template });
        }

        var root = new JsonObject
        {
            ["_type"] = "chat",
            ["messages"] = messages,
            ["input_variables"] = new JsonArray(template.InputVariables.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
        };
        AddPartials(root, template.Core, nameof(template));
        return root;
    }

    private static void AddPartials(JsonObject root, TemplateCore core, string paramName)
    {
        if (core.PartialVariables.Count == 0)
        {
            return;
        }

        var partials = new JsonObject();
        foreach (var (name, value) in core.PartialVariables)
        {
            partials[name] = value switch
            {
                null => null,
                string s => JsonValue.Create(s),
                bool b => JsonValue.Create(b),
                byte or sbyte or short or ushort or int or uint or long => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
                ulong or float or double or decimal => JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
                Func<object?> => throw new ArgumentException($"The partial variable '{name}' is a factory and cannot be saved; give it a fixed value or set it after loading.", paramName),
                _ => throw new ArgumentException($"The partial variable '{name}' holds a {value.GetType().Name}, which cannot be saved; prompt files hold strings, numbers, booleans and null.", paramName),
            };
        }

        root["partial_variables"] = partials;
    }

    private static string Write(JsonObject root, bool yaml)
    {
        if (!yaml)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, JsonWriteOptions))
            {
                root.WriteTo(writer);
            }

            return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
        }

        var stream = new YamlStream(new YamlDocument(ToYaml(root)));
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(text, assignAnchors: false);
        var yamlText = text.ToString();

        // YamlDotNet ends every document with an explicit "..." marker; one document per file needs none.
        return yamlText.EndsWith("...\n", StringComparison.Ordinal) ? yamlText[..^4] : yamlText;
    }

    private static YamlNode ToYaml(JsonNode? node) => node switch
    {
        null => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
        JsonObject obj => new YamlMappingNode(obj.Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Key), ToYaml(p.Value)))),
        JsonArray array => new YamlSequenceNode(array.Select(ToYaml)),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => StringScalar(value.GetValue<string>()),
        _ => new YamlScalarNode(node.ToJsonString()) { Style = ScalarStyle.Plain },
    };

    private static YamlScalarNode StringScalar(string text)
        => new(text) { Style = text.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal : ScalarStyle.DoubleQuoted };
}
