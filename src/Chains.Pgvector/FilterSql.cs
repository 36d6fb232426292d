using Chains.Indexes;
using NpgsqlTypes;

namespace Chains.Pgvector;

/// <summary>
/// Compiles a <see cref="MetadataFilter"/> to a SQL boolean expression over the <c>metadata</c> and
/// <c>metadata_types</c> columns. Keys and values only ever travel as parameters; the SQL text depends on the filter's
/// shape and value kinds, never on their content. Every expression is true or false, never NULL, so <c>NOT</c> is safe.
/// </summary>
/// <remarks>
/// Equality on strings, booleans and numbers is <c>jsonb</c> containment (<c>metadata @&gt; $n</c>), which the GIN index
/// serves; a string also matches a list holding it. Number ranges compare <c>(metadata-&gt;$k)::numeric</c> behind a
/// <c>jsonb_typeof</c> guard, dates compare as <c>timestamptz</c> behind the <c>metadata_types</c> tag, and strings compare
/// with the "C" collation (ordinal).
/// </remarks>
internal static class FilterSql
{
    /// <summary>Compiles a filter.</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="p">The statement's parameters; the filter's values are added to it.</param>
    /// <returns>The SQL expression.</returns>
    /// <exception cref="NotSupportedException">The filter type is unknown.</exception>
    public static string Compile(MetadataFilter filter, SqlParameters p) => filter switch
    {
        EqualsFilter eq => Equal(eq.Key, eq.Value, p),
        NotEqualsFilter ne => $"NOT {Equal(ne.Key, ne.Value, p)}",
        InFilter @in => In(@in, p),
        RangeFilter range => Range(range, p),
        ExistsFilter exists => Exists(exists.Key, p),
        AndFilter and => "(" + string.Join(" AND ", and.Filters.Select(f => Compile(f, p))) + ")",
        OrFilter or => "(" + string.Join(" OR ", or.Filters.Select(f => Compile(f, p))) + ")",
        NotFilter not => $"NOT {Compile(not.Filter, p)}",
        _ => throw new NotSupportedException($"The metadata filter {filter.GetType().Name} is not supported by the pgvector store."),
    };

    private static string In(InFilter filter, SqlParameters p)
        => "(" + string.Join(" OR ", filter.Values.Select(v => Equal(filter.Key, v, p))) + ")";

    private static string Exists(string key, SqlParameters p)
    {
        var k = p.Add(key, NpgsqlDbType.Text);
        return $"(metadata ? {k} AND jsonb_typeof(metadata -> {k}) <> 'null')";
    }

    private static string Equal(string key, object value, SqlParameters p)
    {
        switch (value)
        {
            case string s:
            {
                var k = p.Add(key, NpgsqlDbType.Text);
                var scalar = p.Add(MetadataJson.Object(key, s), NpgsqlDbType.Jsonb);
                var list = p.Add(MetadataJson.Object(key, new[] { s }), NpgsqlDbType.Jsonb);

                // A date or a non-finite double is stored as a string too; the type tag keeps them from matching text.
                return $"((metadata @> {scalar} AND NOT (metadata_types ? {k})) OR metadata @> {list})";
            }

            case double d when !double.IsFinite(d):
            {
                var k = p.Add(key, NpgsqlDbType.Text);
                var json = p.Add(MetadataJson.Object(key, d), NpgsqlDbType.Jsonb);
                return $"(metadata @> {json} AND metadata_types ->> {k} = '{MetadataJson.DoubleTag}')";
            }

            case bool or long or double:
                return $"(metadata @> {p.Add(MetadataJson.Object(key, value), NpgsqlDbType.Jsonb)})";

            case DateTimeOffset dto:
            {
                var k = p.Add(key, NpgsqlDbType.Text);
                var v = p.Add(dto.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                return $"coalesce(CASE WHEN metadata_types ->> {k} = '{MetadataJson.DateTag}' THEN (metadata ->> {k})::timestamptz = {v} END, false)";
            }

            default:
                throw new NotSupportedException($"Metadata filter on '{key}' has a value of type {value.GetType().Name}, which the pgvector store cannot compare.");
        }
    }

    private static string Range(RangeFilter range, SqlParameters p)
    {
        var sample = range.Min ?? range.Max!;
        var k = p.Add(range.Key, NpgsqlDbType.Text);
        switch (sample)
        {
            case long or double:
                return NumberRange(range, k, p);

            case DateTimeOffset:
            {
                var conditions = Bounds(range, "(metadata ->> " + k + ")::timestamptz", v => p.Add(((DateTimeOffset)v).ToUniversalTime(), NpgsqlDbType.TimestampTz));
                return $"coalesce(CASE WHEN metadata_types ->> {k} = '{MetadataJson.DateTag}' THEN {conditions} END, false)";
            }

            case string:
            {
                var scalar = Bounds(range, "(metadata ->> " + k + ") COLLATE \"C\"", v => p.Add(v, NpgsqlDbType.Text));
                var element = Bounds(range, "e.v COLLATE \"C\"", v => p.Add(v, NpgsqlDbType.Text));
                return "coalesce(CASE jsonb_typeof(metadata -> " + k + ")" +
                       $" WHEN 'string' THEN NOT (metadata_types ? {k}) AND {scalar}" +
                       $" WHEN 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements_text(metadata -> {k}) AS e(v) WHERE {element}) END, false)";
            }

            default:
                throw new NotSupportedException($"Range filter on '{range.Key}' has a bound of type {sample.GetType().Name}, which the pgvector store cannot compare.");
        }
    }

    /// <summary>A number range. JSON numbers compare as <c>numeric</c>; ±Infinity (stored as strings tagged double)
    /// compare as <c>numeric</c> infinities; NaN, stored or as a bound, follows .NET's ordering (below every number,
    /// equal to itself) so the result agrees with <see cref="MetadataFilter.Matches"/>.</summary>
    private static string NumberRange(RangeFilter range, string k, SqlParameters p)
    {
        const string Operand = "(CASE WHEN jsonb_typeof(metadata -> {0}) = 'number' THEN (metadata -> {0})::numeric ELSE (metadata ->> {0})::numeric END)";
        var operand = string.Format(System.Globalization.CultureInfo.InvariantCulture, Operand, k);
        var parts = new List<string>(2);
        var nanMatches = true;
        if (range.Min is { } min)
        {
            if (min is double.NaN)
            {
                // Every number is above NaN; a stored NaN equals it.
                nanMatches &= range.MinInclusive;
            }
            else
            {
                parts.Add($"{operand} {(range.MinInclusive ? ">=" : ">")} {NumberParameter(min, p)}");
                nanMatches = false;
            }
        }

        if (range.Max is { } max)
        {
            if (max is double.NaN)
            {
                parts.Add("false");
                nanMatches &= range.MaxInclusive;
            }
            else
            {
                parts.Add($"{operand} {(range.MaxInclusive ? "<=" : "<")} {NumberParameter(max, p)}");
            }
        }

        var numbers = parts.Count == 0 ? "true" : "(" + string.Join(" AND ", parts) + ")";
        return $"coalesce(CASE WHEN jsonb_typeof(metadata -> {k}) = 'number' OR (metadata_types ->> {k} = '{MetadataJson.DoubleTag}' AND metadata ->> {k} <> 'NaN') THEN {numbers}" +
               $" WHEN metadata_types ->> {k} = '{MetadataJson.DoubleTag}' THEN {(nanMatches ? "true" : "false")} END, false)";
    }

    private static string NumberParameter(object value, SqlParameters p)
        => value is long l ? p.Add(l, NpgsqlDbType.Bigint) + "::numeric" : p.Add((double)value, NpgsqlDbType.Double) + "::numeric";

    private static string Bounds(RangeFilter range, string operand, Func<object, string> parameter)
    {
        var parts = new List<string>(2);
        if (range.Min is { } min)
        {
            parts.Add($"{operand} {(range.MinInclusive ? ">=" : ">")} {parameter(min)}");
        }

        if (range.Max is { } max)
        {
            parts.Add($"{operand} {(range.MaxInclusive ? "<=" : "<")} {parameter(max)}");
        }

        return "(" + string.Join(" AND ", parts) + ")";
    }
}
