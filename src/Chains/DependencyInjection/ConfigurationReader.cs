using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Chains.DependencyInjection;

/// <summary>
/// Reads one configuration section into options, once, at registration: typed values whose errors name the full key
/// path (<c>Chains:Models:Local:ContextSize</c>), the bad value and how to fix it, and a check that every key in the
/// section is one the reader knows, so a misspelt key is reported instead of silently ignored.
/// </summary>
/// <remarks>
/// Chains' packages do not reference each other's internals, so this file is compiled into each package that binds
/// options from configuration (Chains, Chains.Onnx, Chains.LLamaSharp, Chains.Pgvector). Values are parsed with the
/// invariant culture; an empty value counts as not set, as the configuration binder treats it for nullable values.
/// </remarks>
internal sealed class ConfigurationReader
{
    private const string ParameterName = "configuration";

    private readonly IConfiguration _configuration;
    private readonly string _settings;
    private readonly Dictionary<string, string> _known = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _required = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Initializes a reader over <paramref name="configuration"/>.</summary>
    /// <param name="configuration">The section (or root) that holds the settings.</param>
    /// <param name="settings">What the section configures, for messages (e.g. <c>LlamaModelOptions</c>).</param>
    /// <param name="requireSection">Whether a section that does not exist is an error (a misspelt section name).</param>
    /// <exception cref="ArgumentException"><paramref name="requireSection"/> is set and the section does not exist.</exception>
    public ConfigurationReader(IConfiguration configuration, string settings, bool requireSection = true)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _configuration = configuration;
        _settings = settings;
        Path = configuration is IConfigurationSection section ? section.Path : string.Empty;
        if (requireSection && configuration is IConfigurationSection s && !s.Exists())
        {
            throw Error(
                $"Configuration section '{Path}' is missing or empty, so there are no {settings} to read. Check the section name (keys are matched without regard to case), or register without a configuration section to use the defaults.");
        }
    }

    /// <summary>Gets the full path of the section (empty for the root).</summary>
    public string Path { get; }

    /// <summary>Gets the full path of a key of this section.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The path, e.g. <c>Chains:Models:Local:ContextSize</c>.</returns>
    public string KeyPath(string key) => Path.Length == 0 ? key : $"{Path}:{key}";

    /// <summary>Marks a key as known without reading it (a sub-section another registration reads).</summary>
    /// <param name="key">The key.</param>
    public void Allow(string key) => _known[key] = key;

    /// <summary>Reads a string.</summary>
    /// <param name="key">The key.</param>
    /// <param name="secret">Whether the value must never appear in a message (connection strings, keys).</param>
    /// <returns>The value, or <see langword="null"/> when the key is absent or empty.</returns>
    public string? String(string key, bool secret = false)
    {
        if (secret)
        {
            _secrets.Add(key);
        }

        return Raw(key);
    }

    /// <summary>Marks a key as required, so its messages do not offer removing it; check it with
    /// <see cref="Missing"/> after <see cref="ThrowIfUnknownKeys"/> (a misspelt key is the likelier cause of a missing one).</summary>
    /// <param name="key">The key.</param>
    public void Require(string key) => _required.Add(key);

    /// <summary>Creates the exception for a required key that is not set.</summary>
    /// <param name="key">The key.</param>
    /// <param name="hint">What to set it to.</param>
    /// <returns>The exception, naming the key's full path.</returns>
    public ArgumentException Missing(string key, string hint) => Error($"Configuration value '{KeyPath(key)}' is missing; {_settings} needs it. {hint}");

    /// <summary>Reads a whole number.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or <see langword="null"/> when not set.</returns>
    /// <exception cref="ArgumentException">The value is not a whole number.</exception>
    public int? Int32(string key)
        => Value(key, static s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (int?)null, "a whole number such as 4096");

    /// <summary>Reads a number.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or <see langword="null"/> when not set.</returns>
    /// <exception cref="ArgumentException">The value is not a finite number.</exception>
    public float? Single(string key)
        => Value(key, static s => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v) ? v : (float?)null, "a number such as 0.7 (with a '.' as the decimal separator)");

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or <see langword="null"/> when not set.</returns>
    /// <exception cref="ArgumentException">The value is not a Boolean.</exception>
    public bool? Boolean(string key)
        => Value(key, static s => bool.TryParse(s, out var v) ? v : (bool?)null, "true or false");

    /// <summary>Reads a duration in the invariant <c>[d.]hh:mm:ss[.fffffff]</c> form.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or <see langword="null"/> when not set.</returns>
    /// <exception cref="ArgumentException">The value is not a duration.</exception>
    public TimeSpan? Duration(string key)
        => Value(key, static s => TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var v) ? v : (TimeSpan?)null, "a duration in the form hh:mm:ss[.fff], such as 00:00:00.200 for 200 ms");

    /// <summary>Reads an enumeration value by name, ignoring case; numbers are refused (they may name no value).</summary>
    /// <typeparam name="TEnum">The enumeration.</typeparam>
    /// <param name="key">The key.</param>
    /// <returns>The value, or <see langword="null"/> when not set.</returns>
    /// <exception cref="ArgumentException">The value names no member.</exception>
    public TEnum? Enum<TEnum>(string key)
        where TEnum : struct, Enum
        => Value(
            key,
            static s => s.Length > 0 && !char.IsAsciiDigit(s[0]) && s[0] != '-' && System.Enum.TryParse<TEnum>(s, true, out var v) && System.Enum.IsDefined(v) ? v : (TEnum?)null,
            $"one of {string.Join(", ", System.Enum.GetNames<TEnum>())}");

    /// <summary>Reads a value with a custom parser.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="parse">Returns the value, or <see langword="null"/> when the text is not valid.</param>
    /// <param name="expected">What a valid value looks like, for the message.</param>
    /// <returns>The value, or <see langword="null"/> when not set.</returns>
    /// <exception cref="ArgumentException">The value does not parse.</exception>
    public T? Value<T>(string key, Func<string, T?> parse, string expected)
        where T : struct
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return null;
        }

        return parse(raw.Trim()) ?? throw Invalid(key, _required.Contains(key)
            ? $"which is not {expected}. Set {expected}."
            : $"which is not {expected}. Set {expected}, or remove the key to use the default.");
    }

    /// <summary>Reads a list of numbers (a configuration array: keys 0, 1, 2...).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The values, or <see langword="null"/> when not set.</returns>
    /// <exception cref="ArgumentException">The key holds a single value, or an element is not a number.</exception>
    public IReadOnlyList<float>? SingleList(string key)
    {
        var items = Elements(key, "a list of numbers such as [0.6, 0.4]");
        if (items is null)
        {
            return null;
        }

        var values = new float[items.Count];
        var element = new ConfigurationReader(_configuration.GetSection(key), _settings, requireSection: false);
        for (var i = 0; i < items.Count; i++)
        {
            values[i] = element.Single(items[i].Key) ?? throw element.Invalid(items[i].Key, "which is not a number. Every element of the list must be a number such as 0.5.");
        }

        return values;
    }

    /// <summary>Reads a list of sub-sections (a configuration array of objects).</summary>
    /// <param name="key">The key.</param>
    /// <param name="example">What an element looks like, for the message.</param>
    /// <returns>The elements in order, or <see langword="null"/> when not set.</returns>
    /// <exception cref="ArgumentException">The key holds a single value.</exception>
    public IReadOnlyList<IConfigurationSection>? SectionList(string key, string example) => Elements(key, $"a list of objects such as {example}");

    /// <summary>Gets a sub-section, or <see langword="null"/> when it does not exist.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The section.</returns>
    /// <exception cref="ArgumentException">The key holds a single value instead of a section.</exception>
    public IConfigurationSection? Section(string key)
    {
        _known[key] = key;
        var section = _configuration.GetSection(key);
        if (!section.Exists())
        {
            return null;
        }

        if (section.Value is not null && !section.GetChildren().Any())
        {
            throw Invalid(key, "but it must be a section with its own keys (an object in JSON).");
        }

        return section;
    }

    /// <summary>Throws when the section has a key no read asked for (a misspelling, or a setting that does not exist).</summary>
    /// <param name="allowSections">Whether unknown sub-sections are allowed (a section shared with other packages).</param>
    /// <exception cref="ArgumentException">An unknown key was found; the message names it and suggests the closest known key.</exception>
    public void ThrowIfUnknownKeys(bool allowSections = false)
    {
        foreach (var child in _configuration.GetChildren())
        {
            if (_known.ContainsKey(child.Key) || (allowSections && child.GetChildren().Any()))
            {
                continue;
            }

            var known = _known.Values.Order(StringComparer.Ordinal).ToList();
            var closest = Closest(child.Key, known);
            throw Error(
                $"Configuration key '{KeyPath(child.Key)}' is not a {_settings} setting." +
                (closest is null ? string.Empty : $" Did you mean '{closest}'?") +
                $" The known settings are: {string.Join(", ", known)}. Fix the spelling or remove the key.");
        }
    }

    /// <summary>Runs <paramref name="create"/> (which builds and validates the options), turning an
    /// <see cref="ArgumentException"/> into one that names the configuration key it came from.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="create">Builds the options; the validation it runs names the bad option in the exception's
    /// parameter name or as <c>Type.Property</c> in its message.</param>
    /// <returns>What <paramref name="create"/> returned.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message names the key and its value.</exception>
    public T Build<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException ex) when (ex.ParamName != ParameterName)
        {
            var reason = Describe(ex);
            var key = KeyOf(ex, reason);
            var section = key is null ? Path : KeyPath(key);
            if (key is null || (_configuration[key] is null && _configuration.GetSection(key).GetChildren().Any()))
            {
                throw Error($"Configuration section '{section}' holds invalid {_settings}: {reason} Fix the values under '{section}'.", ex);
            }

            throw Invalid(key, $"which is invalid: {reason} {(_required.Contains(key) ? "Fix the value." : "Fix the value, or remove the key to use the default.")}", ex);
        }
    }

    /// <summary>Creates the exception for a bad value of <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="problem">The rest of the sentence after the value, e.g. "which is not a whole number.".</param>
    /// <param name="inner">The exception that found the problem, if any.</param>
    /// <returns>The exception, naming the key's full path and (unless secret) its value.</returns>
    public ArgumentException Invalid(string key, string problem, Exception? inner = null)
    {
        var value = _configuration[key];
        var shown = _secrets.Contains(key) ? "(value hidden)" : $"'{value}'";
        return Error($"Configuration value '{KeyPath(key)}' is {shown}, {problem}", inner);
    }

    /// <summary>Every error of a reader: an <see cref="ArgumentException"/> about the <c>configuration</c> argument of the
    /// registration method that read it.</summary>
#pragma warning disable CA2208 // The parameter is the registration method's, not this helper's.
    private static ArgumentException Error(string message, Exception? inner = null) => new(message, ParameterName, inner);
#pragma warning restore CA2208

    /// <summary>The message of <paramref name="ex"/> without the parameter and actual-value lines .NET appends.</summary>
    private static string Describe(ArgumentException ex)
    {
        var message = ex.Message;
        var newline = message.IndexOf(Environment.NewLine, StringComparison.Ordinal);
        if (ex is ArgumentOutOfRangeException && newline > 0)
        {
            message = message[..newline];
        }

        if (ex.ParamName is { Length: > 0 } name)
        {
            var suffix = $" (Parameter '{name}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        message = message.Trim();
        return message.EndsWith('.') ? message : message + ".";
    }

    private static string? Closest(string key, IReadOnlyList<string> known)
    {
        string? best = null;
        var bestDistance = Math.Max(2, key.Length / 3) + 1;
        foreach (var candidate in known)
        {
            var distance = EditDistance(key.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>Finds the key a validation error is about: its parameter name, else <c>Settings.Key</c> in its message.</summary>
    private string? KeyOf(ArgumentException ex, string reason)
    {
        if (ex.ParamName is { } name && _known.TryGetValue(name, out var byName))
        {
            return byName;
        }

        foreach (var key in _known.Values.OrderByDescending(k => k.Length))
        {
            var marker = $"{_settings}.{key}";
            var at = reason.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (at >= 0 && (at + marker.Length == reason.Length || !char.IsAsciiLetterOrDigit(reason[at + marker.Length])))
            {
                return key;
            }
        }

        return null;
    }

    private string? Raw(string key)
    {
        _known[key] = key;
        var section = _configuration.GetSection(key);
        if (section.Value is null && section.GetChildren().Any())
        {
            throw Error($"Configuration key '{KeyPath(key)}' is a section, but {_settings} expects a single value there. Put the value directly under '{KeyPath(key)}'.");
        }

        return string.IsNullOrEmpty(section.Value) ? null : section.Value;
    }

    private List<IConfigurationSection>? Elements(string key, string expected)
    {
        _known[key] = key;
        var section = _configuration.GetSection(key);
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return string.IsNullOrEmpty(section.Value)
                ? null
                : throw Invalid(key, $"but it must be {expected}.");
        }

        var indexed = new List<(int Index, IConfigurationSection Section)>(children.Count);
        foreach (var child in children)
        {
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw Error($"Configuration key '{KeyPath(key)}:{child.Key}' is not a list index; '{KeyPath(key)}' must be {expected}.");
            }

            indexed.Add((index, child));
        }

        return [.. indexed.OrderBy(e => e.Index).Select(e => e.Section)];
    }
}
