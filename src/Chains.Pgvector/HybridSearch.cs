using Chains.Indexes;
using NpgsqlTypes;

namespace Chains.Pgvector;

/// <summary>Options of <see cref="PgvectorStore.HybridSearchAsync"/>.</summary>
public sealed record HybridSearchOptions
{
    private readonly int _top = 4;
    private readonly int _candidates = 40;
    private readonly int _rrfK = 60;
    private readonly double _vectorWeight = 1;
    private readonly double _textWeight = 1;

    /// <summary>Gets how many matches to return at most (default 4).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Top
    {
        get => _top;
        init => _top = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Top), value, "Top must be at least 1.");
    }

    /// <summary>Gets how many candidates each list (vector, full text) contributes before fusion (default 40; at least <see cref="Top"/> is used).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Candidates
    {
        get => _candidates;
        init => _candidates = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Candidates), value, "Candidates must be at least 1.");
    }

    /// <summary>Gets the reciprocal rank fusion constant k (default 60): a document at rank r in a list adds weight / (k + r).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int RrfK
    {
        get => _rrfK;
        init => _rrfK = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(RrfK), value, "RrfK cannot be negative.");
    }

    /// <summary>Gets the weight of the vector list (default 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public double VectorWeight
    {
        get => _vectorWeight;
        init => _vectorWeight = double.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(VectorWeight), value, "VectorWeight must be a finite, non-negative number.");
    }

    /// <summary>Gets the weight of the full-text list (default 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public double TextWeight
    {
        get => _textWeight;
        init => _textWeight = double.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(TextWeight), value, "TextWeight must be a finite, non-negative number.");
    }

    /// <summary>Gets a metadata filter every match must pass, or <see langword="null"/>.</summary>
    public MetadataFilter? Filter { get; init; }

    /// <summary>Gets index settings for the vector list, or <see langword="null"/> for the store's defaults.</summary>
    public PgvectorQueryOptions? Query { get; init; }
}

/// <summary>
/// Builds the hybrid query: two CTEs rank the top candidates by vector distance and by <c>ts_rank_cd</c>, a full outer
/// join fuses them by reciprocal rank, and the best fused rows are joined back to the table. The text query ORs the
/// query's words with its CJK bigrams: verbatim for the <c>simple</c> configuration (whose lexemes the client built),
/// otherwise the words go through the table's configuration (<c>to_tsquery</c>).
/// </summary>
internal static class HybridSearch
{
    /// <summary>Builds the SQL; its rows are the document columns followed by the fused score.</summary>
    /// <param name="store">The store.</param>
    /// <param name="p">The statement's parameters.</param>
    /// <param name="query">The query text.</param>
    /// <param name="vector">The query vector.</param>
    /// <param name="options">The options.</param>
    /// <returns>The SQL.</returns>
    public static string Sql(PgvectorStore store, SqlParameters p, string query, ReadOnlyMemory<float> vector, HybridSearchOptions options)
    {
        var table = store.Table;
        var candidates = p.Add(Math.Max(options.Candidates, options.Top), NpgsqlDbType.Integer);
        var v = p.Add(table.ToParameter(vector));
        var filter = options.Filter is null ? "true" : FilterSql.Compile(options.Filter, p);

        var (words, terms) = TextTerms.ForQuery(query);
        var parts = new List<string>(2);
        if (string.Equals(store.Options.TextSearchConfig, TextTerms.ClientConfig, StringComparison.Ordinal))
        {
            // The stored vectors hold the client's lexemes: match them verbatim.
            if (words.Length + terms.Length > 0)
            {
                parts.Add($"{p.Add(TextTerms.ToTsQueryText(words.Concat(terms)), NpgsqlDbType.Text)}::tsquery");
            }
        }
        else
        {
            if (words.Length > 0)
            {
                parts.Add($"to_tsquery({p.Add(store.Options.TextSearchConfig, NpgsqlDbType.Text)}::regconfig, {p.Add(string.Join(" | ", words), NpgsqlDbType.Text)})");
            }

            if (terms.Length > 0)
            {
                parts.Add($"{p.Add(TextTerms.ToTsQueryText(terms), NpgsqlDbType.Text)}::tsquery");
            }
        }

        var text = parts.Count == 0
            ? "SELECT NULL::text AS id, NULL::bigint AS rank WHERE false"
            : $"""
                SELECT id, row_number() OVER (ORDER BY r DESC, id) AS rank FROM (
                    SELECT id, ts_rank_cd(terms, q.query) AS r FROM {table.Name}, (SELECT {string.Join(" || ", parts)} AS query) AS q
                    WHERE terms @@ q.query AND {filter}
                    ORDER BY r DESC, id LIMIT {candidates}) AS t
                """;

        var k = p.Add((double)options.RrfK, NpgsqlDbType.Double);
        var wv = p.Add(options.VectorWeight, NpgsqlDbType.Double);
        var wt = p.Add(options.TextWeight, NpgsqlDbType.Double);
        var top = p.Add(options.Top, NpgsqlDbType.Integer);
        return $"""
            WITH by_vector AS (
                SELECT id, row_number() OVER (ORDER BY distance, id) AS rank FROM (
                    SELECT id, embedding {table.Operator} {v} AS distance FROM {table.Name}
                    WHERE {filter}
                    ORDER BY embedding {table.Operator} {v} LIMIT {candidates}) AS n),
            by_text AS ({text}),
            fused AS (
                SELECT coalesce(by_vector.id, by_text.id) AS id,
                       coalesce({wv} / ({k} + by_vector.rank), 0) + coalesce({wt} / ({k} + by_text.rank), 0) AS score
                FROM by_vector FULL OUTER JOIN by_text ON by_vector.id = by_text.id)
            SELECT {string.Join(", ", PgvectorTable.DocumentColumns.Split(", ").Select(c => "d." + c))}, fused.score
            FROM fused JOIN {table.Name} AS d ON d.id = fused.id
            ORDER BY fused.score DESC, fused.id
            LIMIT {top}
            """;
    }
}
