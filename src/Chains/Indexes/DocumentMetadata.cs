using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Chains.Indexes;

/// <summary>
/// Immutable, typed metadata of a <see cref="Document"/>. Values are limited to types every store can keep and filter
/// on: <see cref="string"/>, <see cref="bool"/>, <see cref="long"/> (other integers are widened), <see cref="double"/>
/// (<see cref="float"/> and <see cref="decimal"/> are widened), <see cref="DateTimeOffset"/> (<see cref="DateTime"/> is
/// converted) and string lists (kept as <c>string[]</c>); <see langword="null"/> is allowed.
/// </summary>
public sealed class DocumentMetadata : IReadOnlyDictionary<string, object?>, IEquatable<DocumentMetadata>
{
    private readonly Dictionary<string, object?> _values;

    /// <summary>Initializes metadata from key/value pairs, converting values to the supported types.</summary>
    /// <param name="values">The entries.</param>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key is empty, or a value has an unsupported type (the message names the key and the type).</exception>
    public DocumentMetadata(IEnumerable<KeyValuePair<string, object?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            _values[CheckKey(key)] = Normalize(key, value);
        }
    }

    private DocumentMetadata(Dictionary<string, object?> values) => _values = values;

    /// <summary>Gets metadata with no entries.</summary>
    public static DocumentMetadata Empty { get; } = new(new Dictionary<string, object?>(StringComparer.Ordinal));

    /// <inheritdoc />
    public int Count => _values.Count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc />
    public IEnumerable<object?> Values => _values.Values;

    /// <inheritdoc />
    public object? this[string key] => _values[key];

    /// <summary>Returns a copy with <paramref name="key"/> set to <paramref name="value"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value (a supported type, see <see cref="DocumentMetadata"/>).</param>
    /// <returns>The new metadata.</returns>
    /// <exception cref="ArgumentException">The key is empty or the value's type is not supported.</exception>
    public DocumentMetadata With(string key, object? value)
    {
        var copy = new Dictionary<string, object?>(_values, StringComparer.Ordinal) { [CheckKey(key)] = Normalize(key, value) };
        return new DocumentMetadata(copy);
    }

    /// <summary>Returns a copy with the entries of <paramref name="other"/> added (they win on equal keys).</summary>
    /// <param name="other">The entries to add.</param>
    /// <returns>The merged metadata.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    public DocumentMetadata With(DocumentMetadata other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return this;
        }

        var copy = new Dictionary<string, object?>(_values, StringComparer.Ordinal);
        foreach (var (key, value) in other._values)
        {
            copy[key] = value;
        }

        return new DocumentMetadata(copy);
    }

    /// <summary>Returns a copy without <paramref name="key"/>.</summary>
    /// <param name="key">The key to remove.</param>
    /// <returns>The new metadata (this instance when the key is absent).</returns>
    public DocumentMetadata Without(string key)
    {
        if (!_values.ContainsKey(key))
        {
            return this;
        }

        var copy = new Dictionary<string, object?>(_values, StringComparer.Ordinal);
        copy.Remove(key);
        return new DocumentMetadata(copy);
    }

    /// <summary>Gets a string value, or <see langword="null"/> when absent or not a string.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public string? GetString(string key) => _values.GetValueOrDefault(key) as string;

    /// <summary>Gets an integer value, or <see langword="null"/> when absent or not an integer.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public long? GetInt64(string key) => _values.GetValueOrDefault(key) is long l ? l : null;

    /// <summary>Gets a number (integer or floating point), or <see langword="null"/> when absent or not a number.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public double? GetDouble(string key) => _values.GetValueOrDefault(key) switch
    {
        long l => l,
        double d => d,
        _ => null,
    };

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value) => _values.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public bool Equals(DocumentMetadata? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other.Count != Count)
        {
            return false;
        }

        foreach (var (key, value) in _values)
        {
            if (!other._values.TryGetValue(key, out var otherValue) || !ValueEquals(value, otherValue))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DocumentMetadata);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = 0;
        foreach (var key in _values.Keys)
        {
            hash ^= StringComparer.Ordinal.GetHashCode(key);
        }

        return hash;
    }

    /// <summary>Converts a value to the type metadata stores it as.</summary>
    /// <param name="key">The key (for the error message).</param>
    /// <param name="value">The value.</param>
    /// <returns>The normalized value.</returns>
    /// <exception cref="ArgumentException">The value's type is not supported.</exception>
    internal static object? Normalize(string key, object? value) => value switch
    {
        null or string or bool or long or double or DateTimeOffset => value,
        int or short or byte or sbyte or ushort or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        ulong u when u <= long.MaxValue => (long)u,
        float f => (double)f,
        decimal m => (double)m,
        DateTime dt => dt.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(dt, TimeSpan.Zero) : new DateTimeOffset(dt),
        Enum e => e.ToString(),
        string[] array => array,
        IEnumerable<string> strings => strings.ToArray(),
        _ => throw new ArgumentException(
            $"Metadata '{key}' has a value of type {value.GetType().Name}, which stores cannot keep. Use a string, bool, integer, floating-point number, DateTimeOffset or a list of strings.",
            nameof(value)),
    };

    private static string CheckKey(string key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new ArgumentException("Metadata keys must be non-empty text.", nameof(key));
        }

        return key;
    }

    private static bool ValueEquals(object? a, object? b)
        => a is string[] x && b is string[] y ? x.AsSpan().SequenceEqual(y) : Equals(a, b);
}
