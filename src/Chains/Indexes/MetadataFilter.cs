namespace Chains.Indexes;

/// <summary>
/// A typed condition on <see cref="DocumentMetadata"/> that every vector store understands: in memory through
/// <see cref="Matches"/>, in databases compiled to parameterised queries. Build filters with the static methods and the
/// <c>&amp;</c>, <c>|</c> and <c>!</c> operators: <c>MetadataFilter.Eq("lang", "zh") &amp; MetadataFilter.Gte("year", 2020)</c>.
/// </summary>
/// <remarks>
/// Comparison rules: numbers compare by value whether stored as integer or floating point; strings compare ordinally;
/// <see cref="DateTimeOffset"/> values compare by instant; a string-list value matches <see cref="Eq"/> and <see cref="In"/>
/// when any element matches. A missing key never matches <see cref="Eq"/>, <see cref="In"/> or a range, and always
/// matches <see cref="Ne"/>.
/// </remarks>
public abstract record MetadataFilter
{
    private protected MetadataFilter()
    {
    }

    /// <summary>Matches documents whose <paramref name="key"/> equals <paramref name="value"/>.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="value">The value (string, bool, number or DateTimeOffset).</param>
    /// <returns>The filter.</returns>
    /// <exception cref="ArgumentException">The key is empty or the value's type is not a metadata type.</exception>
    public static MetadataFilter Eq(string key, object value) => new EqualsFilter(CheckKey(key), CheckScalar(key, value));

    /// <summary>Matches documents whose <paramref name="key"/> is missing or differs from <paramref name="value"/>.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="value">The value.</param>
    /// <returns>The filter.</returns>
    /// <exception cref="ArgumentException">The key is empty or the value's type is not a metadata type.</exception>
    public static MetadataFilter Ne(string key, object value) => new NotEqualsFilter(CheckKey(key), CheckScalar(key, value));

    /// <summary>Matches documents whose <paramref name="key"/> equals one of <paramref name="values"/>.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="values">The accepted values (at least one).</param>
    /// <returns>The filter.</returns>
    /// <exception cref="ArgumentException">The key is empty, the list is empty, or a value's type is not a metadata type.</exception>
    public static MetadataFilter In(string key, params IEnumerable<object> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.Select(v => CheckScalar(key, v)).ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException($"In('{key}', ...) needs at least one value.", nameof(values));
        }

        return new InFilter(CheckKey(key), list);
    }

    /// <summary>Matches documents whose <paramref name="key"/> is greater than <paramref name="value"/>.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="value">The bound (number, string or DateTimeOffset).</param>
    /// <returns>The filter.</returns>
    public static MetadataFilter Gt(string key, object value) => Range(key, value, null, minInclusive: false);

    /// <summary>Matches documents whose <paramref name="key"/> is greater than or equal to <paramref name="value"/>.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="value">The bound.</param>
    /// <returns>The filter.</returns>
    public static MetadataFilter Gte(string key, object value) => Range(key, value, null);

    /// <summary>Matches documents whose <paramref name="key"/> is less than <paramref name="value"/>.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="value">The bound.</param>
    /// <returns>The filter.</returns>
    public static MetadataFilter Lt(string key, object value) => Range(key, null, value, maxInclusive: false);

    /// <summary>Matches documents whose <paramref name="key"/> is less than or equal to <paramref name="value"/>.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="value">The bound.</param>
    /// <returns>The filter.</returns>
    public static MetadataFilter Lte(string key, object value) => Range(key, null, value);

    /// <summary>Matches documents whose <paramref name="key"/> lies between the bounds.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="min">The lower bound, or <see langword="null"/> for none.</param>
    /// <param name="max">The upper bound, or <see langword="null"/> for none.</param>
    /// <param name="minInclusive">Whether the lower bound itself matches.</param>
    /// <param name="maxInclusive">Whether the upper bound itself matches.</param>
    /// <returns>The filter.</returns>
    /// <exception cref="ArgumentException">Both bounds are null, a bound is a bool or list, or the bounds have different kinds.</exception>
    public static MetadataFilter Range(string key, object? min, object? max, bool minInclusive = true, bool maxInclusive = true)
    {
        CheckKey(key);
        if (min is null && max is null)
        {
            throw new ArgumentException($"Range('{key}') needs a lower bound, an upper bound or both.", nameof(min));
        }

        var lo = min is null ? null : CheckScalar(key, min);
        var hi = max is null ? null : CheckScalar(key, max);
        if (lo is bool || hi is bool)
        {
            throw new ArgumentException($"Range('{key}') cannot compare booleans; use Eq.", nameof(min));
        }

        if (lo is not null && hi is not null && Kind(lo) != Kind(hi))
        {
            throw new ArgumentException($"Range('{key}') bounds must be of the same kind (both numbers, strings or dates), not {lo.GetType().Name} and {hi.GetType().Name}.", nameof(max));
        }

        return new RangeFilter(key, lo, hi, minInclusive, maxInclusive);
    }

    /// <summary>Matches documents that have <paramref name="key"/> with a non-null value.</summary>
    /// <param name="key">The metadata key.</param>
    /// <returns>The filter.</returns>
    public static MetadataFilter Exists(string key) => new ExistsFilter(CheckKey(key));

    /// <summary>Matches documents that match every filter.</summary>
    /// <param name="filters">The filters (at least one).</param>
    /// <returns>The filter.</returns>
    /// <exception cref="ArgumentException">No filter was given.</exception>
    public static MetadataFilter And(params IEnumerable<MetadataFilter> filters) => new AndFilter(CheckList(filters, nameof(And)));

    /// <summary>Matches documents that match at least one filter.</summary>
    /// <param name="filters">The filters (at least one).</param>
    /// <returns>The filter.</returns>
    /// <exception cref="ArgumentException">No filter was given.</exception>
    public static MetadataFilter Or(params IEnumerable<MetadataFilter> filters) => new OrFilter(CheckList(filters, nameof(Or)));

    /// <summary>Matches documents that do not match <paramref name="filter"/>.</summary>
    /// <param name="filter">The filter to negate.</param>
    /// <returns>The filter.</returns>
    public static MetadataFilter Not(MetadataFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return new NotFilter(filter);
    }

    /// <summary>Combines two filters with AND.</summary>
    /// <param name="left">The first filter.</param>
    /// <param name="right">The second filter.</param>
    /// <returns>The combined filter.</returns>
    public static MetadataFilter operator &(MetadataFilter left, MetadataFilter right) => And(left, right);

    /// <summary>Combines two filters with OR.</summary>
    /// <param name="left">The first filter.</param>
    /// <param name="right">The second filter.</param>
    /// <returns>The combined filter.</returns>
    public static MetadataFilter operator |(MetadataFilter left, MetadataFilter right) => Or(left, right);

    /// <summary>Negates a filter.</summary>
    /// <param name="filter">The filter.</param>
    /// <returns>The negated filter.</returns>
    public static MetadataFilter operator !(MetadataFilter filter) => Not(filter);

    /// <summary>Evaluates the filter against metadata in memory.</summary>
    /// <param name="metadata">The metadata.</param>
    /// <returns><see langword="true"/> when the metadata matches.</returns>
    public abstract bool Matches(DocumentMetadata metadata);

    /// <summary>Compares two metadata scalars by the rules in the class remarks.</summary>
    /// <param name="a">The first value.</param>
    /// <param name="b">The second value.</param>
    /// <returns>The order, or <see langword="null"/> when the values are of different kinds.</returns>
    internal static int? Compare(object a, object b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (long x, double y) => ((double)x).CompareTo(y),
        (double x, long y) => x.CompareTo(y),
        (double x, double y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        (DateTimeOffset x, DateTimeOffset y) => x.CompareTo(y),
        (bool x, bool y) => x.CompareTo(y),
        _ => null,
    };

    /// <summary>Applies <paramref name="test"/> to a value, or to each element of a string list.</summary>
    internal static bool AnyValue(object? value, Func<object, bool> test)
        => value switch
        {
            null => false,
            string[] list => list.Any(test),
            _ => test(value),
        };

    private static int Kind(object value) => value switch
    {
        long or double => 0,
        string => 1,
        DateTimeOffset => 2,
        _ => 3,
    };

    private static string CheckKey(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return key;
    }

    private static object CheckScalar(string key, object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var normalized = DocumentMetadata.Normalize(key, value);
        return normalized is string[]
            ? throw new ArgumentException($"Filter on '{key}' takes a single value, not a list; use In for several values.", nameof(value))
            : normalized!;
    }

    private static MetadataFilter[] CheckList(IEnumerable<MetadataFilter> filters, string op)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var list = filters.ToArray();
        if (list.Length == 0 || list.Any(f => f is null))
        {
            throw new ArgumentException($"{op} needs at least one filter and no null entries.", nameof(filters));
        }

        return list;
    }
}

/// <summary>Matches when the key's value (or any element of a list value) equals <see cref="Value"/>.</summary>
/// <param name="Key">The metadata key.</param>
/// <param name="Value">The normalized value.</param>
public sealed record EqualsFilter(string Key, object Value) : MetadataFilter
{
    /// <inheritdoc />
    public override bool Matches(DocumentMetadata metadata)
        => AnyValue(metadata.GetValueOrDefault(Key), v => Compare(v, Value) == 0);
}

/// <summary>Matches when the key is missing or its value differs from <see cref="Value"/>.</summary>
/// <param name="Key">The metadata key.</param>
/// <param name="Value">The normalized value.</param>
public sealed record NotEqualsFilter(string Key, object Value) : MetadataFilter
{
    /// <inheritdoc />
    public override bool Matches(DocumentMetadata metadata)
        => !AnyValue(metadata.GetValueOrDefault(Key), v => Compare(v, Value) == 0);
}

/// <summary>Matches when the key's value (or any element of a list value) equals one of <see cref="Values"/>.</summary>
/// <param name="Key">The metadata key.</param>
/// <param name="Values">The normalized accepted values.</param>
public sealed record InFilter(string Key, IReadOnlyList<object> Values) : MetadataFilter
{
    /// <inheritdoc />
    public override bool Matches(DocumentMetadata metadata)
        => AnyValue(metadata.GetValueOrDefault(Key), v => Values.Any(w => Compare(v, w) == 0));
}

/// <summary>Matches when the key's value lies between the bounds.</summary>
/// <param name="Key">The metadata key.</param>
/// <param name="Min">The normalized lower bound, or <see langword="null"/>.</param>
/// <param name="Max">The normalized upper bound, or <see langword="null"/>.</param>
/// <param name="MinInclusive">Whether the lower bound matches.</param>
/// <param name="MaxInclusive">Whether the upper bound matches.</param>
public sealed record RangeFilter(string Key, object? Min, object? Max, bool MinInclusive, bool MaxInclusive) : MetadataFilter
{
    /// <inheritdoc />
    public override bool Matches(DocumentMetadata metadata)
        => AnyValue(metadata.GetValueOrDefault(Key), v =>
            (Min is null || Compare(v, Min) is { } lo && (MinInclusive ? lo >= 0 : lo > 0)) &&
            (Max is null || Compare(v, Max) is { } hi && (MaxInclusive ? hi <= 0 : hi < 0)));
}

/// <summary>Matches when the key is present with a non-null value.</summary>
/// <param name="Key">The metadata key.</param>
public sealed record ExistsFilter(string Key) : MetadataFilter
{
    /// <inheritdoc />
    public override bool Matches(DocumentMetadata metadata) => metadata.GetValueOrDefault(Key) is not null;
}

/// <summary>Matches when every filter matches.</summary>
/// <param name="Filters">The filters.</param>
public sealed record AndFilter(IReadOnlyList<MetadataFilter> Filters) : MetadataFilter
{
    /// <inheritdoc />
    public override bool Matches(DocumentMetadata metadata) => Filters.All(f => f.Matches(metadata));
}

/// <summary>Matches when at least one filter matches.</summary>
/// <param name="Filters">The filters.</param>
public sealed record OrFilter(IReadOnlyList<MetadataFilter> Filters) : MetadataFilter
{
    /// <inheritdoc />
    public override bool Matches(DocumentMetadata metadata) => Filters.Any(f => f.Matches(metadata));
}

/// <summary>Matches when <see cref="Filter"/> does not.</summary>
/// <param name="Filter">The negated filter.</param>
public sealed record NotFilter(MetadataFilter Filter) : MetadataFilter
{
    /// <inheritdoc />
    public override bool Matches(DocumentMetadata metadata) => !Filter.Matches(metadata);
}
