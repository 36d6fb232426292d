using System.Globalization;
using Chains.Indexes;
using Npgsql;
using Pgvector;

namespace Chains.Pgvector;

/// <summary>The SQL vocabulary of one store table, derived once from validated options: quoted names, the vector
/// type, the distance operator and operator class, and the mapping of rows to documents and distances to scores.</summary>
internal sealed class PgvectorTable
{
    /// <summary>The columns <see cref="ReadDocument"/> reads, in order.</summary>
    public const string DocumentColumns = "id, content, source, span_start, span_length, metadata, metadata_types";

    /// <summary>The <c>toast_tuple_target</c> of the store and staging tables: the largest PostgreSQL accepts with its
    /// standard 8 kB pages, so a row is compressed or moved out of line only when it would not fit a page. The default
    /// (~2 kB) is just under a chunk row with full-text terms and a 384-dimension vector, which made every write pay
    /// for compression and an out-of-line TOAST insert, and every hybrid search a TOAST fetch.</summary>
    public const int InlineRowBytes = 8160;

    /// <summary>Initializes the vocabulary.</summary>
    /// <param name="options">Validated options.</param>
    public PgvectorTable(PgvectorStoreOptions options)
    {
        Options = options;
        Schema = Quote(options.Schema);
        Name = Schema + "." + Quote(options.Table);
        Registry = Schema + "." + Quote(PgvectorStoreOptions.RegistryTable);
        DisplayName = options.Schema + "." + options.Table;
        VectorType = options.HalfPrecision ? "halfvec" : "vector";
        ColumnType = string.Create(CultureInfo.InvariantCulture, $"{VectorType}({options.Dimensions})");
        (Operator, var suffix) = options.Distance switch
        {
            PgvectorDistance.L2 => ("<->", "l2"),
            PgvectorDistance.InnerProduct => ("<#>", "ip"),
            _ => ("<=>", "cosine"),
        };
        OperatorClass = VectorType + "_" + suffix + "_ops";
        DistanceName = suffix;
    }

    /// <summary>Gets the options.</summary>
    public PgvectorStoreOptions Options { get; }

    /// <summary>Gets the quoted schema name.</summary>
    public string Schema { get; }

    /// <summary>Gets the quoted, schema-qualified table name.</summary>
    public string Name { get; }

    /// <summary>Gets the quoted, schema-qualified registry table name.</summary>
    public string Registry { get; }

    /// <summary>Gets <c>schema.table</c> for messages.</summary>
    public string DisplayName { get; }

    /// <summary>Gets <c>vector</c> or <c>halfvec</c>.</summary>
    public string VectorType { get; }

    /// <summary>Gets the embedding column type, e.g. <c>vector(384)</c>.</summary>
    public string ColumnType { get; }

    /// <summary>Gets the distance operator.</summary>
    public string Operator { get; }

    /// <summary>Gets the index operator class, e.g. <c>vector_cosine_ops</c>.</summary>
    public string OperatorClass { get; }

    /// <summary>Gets <c>cosine</c>, <c>l2</c> or <c>ip</c>.</summary>
    public string DistanceName { get; }

    /// <summary>Quotes an identifier that has already passed validation.</summary>
    /// <param name="identifier">The identifier.</param>
    /// <returns>The quoted identifier.</returns>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Gets the name of an index on this table (unquoted).</summary>
    /// <param name="suffix">What the index covers.</param>
    /// <returns>The name.</returns>
    public string IndexName(string suffix) => Options.Table + "_" + suffix;

    /// <summary>Converts a vector to the parameter value of the column's type.</summary>
    /// <param name="vector">The vector.</param>
    /// <returns>A <see cref="Vector"/> or a <see cref="HalfVector"/>.</returns>
    public object ToParameter(ReadOnlyMemory<float> vector)
    {
        if (!Options.HalfPrecision)
        {
            return new Vector(vector);
        }

        var half = new Half[vector.Length];
        var span = vector.Span;
        for (var i = 0; i < half.Length; i++)
        {
            half[i] = (Half)span[i];
        }

        return new HalfVector(half);
    }

    /// <summary>Throws when a vector does not have the table's dimension.</summary>
    /// <param name="vector">The vector.</param>
    /// <param name="paramName">The argument name.</param>
    /// <exception cref="ArgumentException">The dimension differs.</exception>
    public void CheckDimensions(ReadOnlyMemory<float> vector, string paramName)
    {
        if (vector.Length != Options.Dimensions)
        {
            throw new ArgumentException($"The vector has {vector.Length} dimensions; the store '{DisplayName}' holds {Options.Dimensions}.", paramName);
        }
    }

    /// <summary>Converts a distance returned by <see cref="Operator"/> to a similarity score (higher is closer).</summary>
    /// <param name="distance">The distance.</param>
    /// <returns>The score.</returns>
    public double Score(double distance) => Options.Distance switch
    {
        PgvectorDistance.L2 => 1 / (1 + distance),
        PgvectorDistance.InnerProduct => -distance,
        _ => 1 - distance,
    };

    /// <summary>Reads the <see cref="DocumentColumns"/> at the start of the current row.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The document.</returns>
    public static Document ReadDocument(NpgsqlDataReader reader)
    {
        var span = reader.IsDBNull(3) ? (SourceSpan?)null : new SourceSpan(reader.GetInt32(3), reader.IsDBNull(4) ? 0 : reader.GetInt32(4));
        return new Document(
            reader.GetString(0),
            reader.GetString(1),
            MetadataJson.Read(reader.GetString(5), reader.GetString(6)),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            span);
    }

    /// <summary>Reads an embedding column as floats.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="ordinal">The column.</param>
    /// <returns>The vector.</returns>
    public static ReadOnlyMemory<float> ReadVector(NpgsqlDataReader reader, int ordinal) => reader.GetValue(ordinal) switch
    {
        Vector v => v.Memory,
        HalfVector h => h.ToArray().Select(x => (float)x).ToArray(),
        var other => throw new InvalidOperationException($"The embedding column returned {other.GetType().Name}; build the data source with UseVector()."),
    };
}
