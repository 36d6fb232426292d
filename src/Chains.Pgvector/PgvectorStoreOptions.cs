using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Chains.Pgvector;

/// <summary>How the pgvector store measures the distance between vectors; it decides the operator, the index operator
/// class and how distances become scores.</summary>
public enum PgvectorDistance
{
    /// <summary>Cosine distance (<c>&lt;=&gt;</c>); the score is the cosine similarity, 1 - distance.</summary>
    Cosine,

    /// <summary>Euclidean distance (<c>&lt;-&gt;</c>); the score is 1 / (1 + distance).</summary>
    L2,

    /// <summary>Negative inner product (<c>&lt;#&gt;</c>); the score is the inner product. Use with normalized vectors.</summary>
    InnerProduct,
}

/// <summary>The kind of approximate nearest-neighbour index on the embedding column.</summary>
public enum PgvectorIndexKind
{
    /// <summary>No vector index: every search is an exact scan.</summary>
    None,

    /// <summary>A graph index (<c>hnsw</c>): best speed/recall trade-off, slower to build.</summary>
    Hnsw,

    /// <summary>An inverted-file index (<c>ivfflat</c>): fast to build; create it after loading data so its lists fit the data.</summary>
    IvfFlat,
}

/// <summary>pgvector's iterative index scan (0.8+): when a filter removes candidates, the index scan goes on until enough
/// rows pass, so a filtered top-k returns k rows whenever k rows match.</summary>
public enum PgvectorIterativeScan
{
    /// <summary>No iterative scan: a selective filter can leave fewer than k rows.</summary>
    Off,

    /// <summary>Iterative scan in exact distance order (HNSW only; IVFFlat falls back to <see cref="RelaxedOrder"/>).</summary>
    StrictOrder,

    /// <summary>Iterative scan that may return rows slightly out of order; the store re-sorts them, so results are still best first.</summary>
    RelaxedOrder,
}

/// <summary>The vector index of a pgvector table and its build parameters.</summary>
public sealed record PgvectorIndex
{
    private PgvectorIndex(PgvectorIndexKind kind, int m, int efConstruction, int lists)
    {
        Kind = kind;
        M = m;
        EfConstruction = efConstruction;
        Lists = lists;
    }

    /// <summary>Gets no vector index (exact search only).</summary>
    public static PgvectorIndex None { get; } = new(PgvectorIndexKind.None, 0, 0, 0);

    /// <summary>Gets the index kind.</summary>
    public PgvectorIndexKind Kind { get; }

    /// <summary>Gets the HNSW graph degree (<c>m</c>); 0 for other kinds.</summary>
    public int M { get; }

    /// <summary>Gets the HNSW candidate list size while building (<c>ef_construction</c>); 0 for other kinds.</summary>
    public int EfConstruction { get; }

    /// <summary>Gets the number of IVFFlat lists; 0 for other kinds.</summary>
    public int Lists { get; }

    /// <summary>Describes an HNSW index.</summary>
    /// <param name="m">The maximum number of connections per node (2 to 100; pgvector's default is 16).</param>
    /// <param name="efConstruction">The candidate list size while building (4 to 1000, at least 2 × <paramref name="m"/>; default 64).</param>
    /// <returns>The index description.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside pgvector's limits.</exception>
    public static PgvectorIndex Hnsw(int m = 16, int efConstruction = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(m, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(efConstruction, Math.Max(4, 2 * m));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(efConstruction, 1000);
        return new(PgvectorIndexKind.Hnsw, m, efConstruction, 0);
    }

    /// <summary>Describes an IVFFlat index.</summary>
    /// <param name="lists">The number of lists (1 to 32768; rows / 1000 is a good start up to 1M rows).</param>
    /// <returns>The index description.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lists"/> is outside pgvector's limits.</exception>
    public static PgvectorIndex IvfFlat(int lists = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lists, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lists, 32768);
        return new(PgvectorIndexKind.IvfFlat, 0, 0, lists);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        PgvectorIndexKind.Hnsw => string.Create(CultureInfo.InvariantCulture, $"hnsw (m = {M}, ef_construction = {EfConstruction})"),
        PgvectorIndexKind.IvfFlat => string.Create(CultureInfo.InvariantCulture, $"ivfflat (lists = {Lists})"),
        _ => "none",
    };
}

/// <summary>Per-query index settings, applied with transaction-local <c>set_config</c> (the function form of
/// <c>SET LOCAL</c>) so they never leak to other users of a pooled connection. A <see langword="null"/> value keeps the
/// store's default (or the server's, when the store has none).</summary>
public sealed record PgvectorQueryOptions
{
    private readonly int? _efSearch;
    private readonly int? _probes;
    private readonly int? _maxScanTuples;

    /// <summary>Gets the HNSW candidate list size while searching (<c>hnsw.ef_search</c>, 1 to 1000; the server default is 40).
    /// Higher is slower with better recall; <see cref="PgvectorStore.TuneRecallAsync"/> finds the smallest value that reaches a target recall.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1 to 1000.</exception>
    public int? EfSearch
    {
        get => _efSearch;
        init => _efSearch = value is null or (>= 1 and <= 1000) ? value : throw new ArgumentOutOfRangeException(nameof(EfSearch), value, "hnsw.ef_search must be between 1 and 1000.");
    }

    /// <summary>Gets the number of IVFFlat lists probed (<c>ivfflat.probes</c>; the server default is 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int? Probes
    {
        get => _probes;
        init => _probes = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Probes), value, "ivfflat.probes must be at least 1.");
    }

    /// <summary>Gets the iterative scan mode (<c>hnsw.iterative_scan</c> / <c>ivfflat.iterative_scan</c>).</summary>
    public PgvectorIterativeScan? IterativeScan { get; init; }

    /// <summary>Gets how many tuples an iterative HNSW scan visits at most (<c>hnsw.max_scan_tuples</c>; the server default is 20000).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int? MaxScanTuples
    {
        get => _maxScanTuples;
        init => _maxScanTuples = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxScanTuples), value, "hnsw.max_scan_tuples must be at least 1.");
    }

    /// <summary>Gets a value indicating whether to bypass the vector index and compute exact distances to every matching row.</summary>
    public bool Exact { get; init; }

    /// <summary>Returns these options with each unset value taken from <paramref name="defaults"/>.</summary>
    internal PgvectorQueryOptions Over(PgvectorQueryOptions defaults) => new()
    {
        EfSearch = EfSearch ?? defaults.EfSearch,
        Probes = Probes ?? defaults.Probes,
        IterativeScan = IterativeScan ?? defaults.IterativeScan,
        MaxScanTuples = MaxScanTuples ?? defaults.MaxScanTuples,
        Exact = Exact || defaults.Exact,
    };
}

/// <summary>How the store retries operations that fail for a transient reason (a dropped connection, a server restart,
/// a deadlock). Every operation is safe to repeat: writes are upserts in one transaction, reads have no side effects.</summary>
public sealed record PgvectorRetryOptions
{
    private readonly int _maxRetries = 4;
    private readonly TimeSpan _initialDelay = TimeSpan.FromMilliseconds(200);
    private readonly TimeSpan _maxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Gets no retries: the first transient failure surfaces as <see cref="PgvectorUnavailableException"/>.</summary>
    public static PgvectorRetryOptions None { get; } = new() { MaxRetries = 0 };

    /// <summary>Gets how many times a failed operation is retried (default 4; 0 turns retries off).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxRetries
    {
        get => _maxRetries;
        init => _maxRetries = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxRetries), value, "MaxRetries cannot be negative.");
    }

    /// <summary>Gets the delay before the first retry (default 200 ms); each later delay doubles, with ±25 % jitter.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan InitialDelay
    {
        get => _initialDelay;
        init => _initialDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(InitialDelay), value, "InitialDelay cannot be negative.");
    }

    /// <summary>Gets the longest delay between two attempts (default 5 s).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan MaxDelay
    {
        get => _maxDelay;
        init => _maxDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(MaxDelay), value, "MaxDelay cannot be negative.");
    }
}

/// <summary>Options of a pgvector store: where the table lives, its vector type and index, query defaults, ingest and
/// retry behaviour. Validated once when the store is created; the message names the bad value.</summary>
public sealed partial record PgvectorStoreOptions
{
    /// <summary>Gets the PostgreSQL schema of the table (default <c>public</c>; created when missing).</summary>
    public string Schema { get; init; } = "public";

    /// <summary>Gets the table name (default <c>chains_documents</c>): 1 to 48 lowercase letters, digits or underscores,
    /// starting with a letter or underscore, so index names derived from it stay within PostgreSQL's 63 bytes.</summary>
    public string Table { get; init; } = "chains_documents";

    /// <summary>Gets the number of dimensions of every vector (the embedding model's output size).</summary>
    public required int Dimensions { get; init; }

    /// <summary>Gets the distance function (default cosine).</summary>
    public PgvectorDistance Distance { get; init; } = PgvectorDistance.Cosine;

    /// <summary>Gets the vector index (default HNSW with m = 16, ef_construction = 64).</summary>
    public PgvectorIndex Index { get; init; } = PgvectorIndex.Hnsw();

    /// <summary>Gets a value indicating whether vectors are stored as <c>halfvec</c> (16-bit floats): half the space, and
    /// indexable up to 4000 dimensions instead of 2000, at a small cost in precision.</summary>
    public bool HalfPrecision { get; init; }

    /// <summary>Gets the PostgreSQL text-search configuration for full-text terms (default <c>simple</c>; e.g.
    /// <c>english</c> for stemming). Chinese and Japanese text is split into character bigrams on the client whatever the configuration.</summary>
    public string TextSearchConfig { get; init; } = "simple";

    /// <summary>Gets a value indicating whether full-text terms are stored and GIN-indexed for
    /// <see cref="PgvectorStore.HybridSearchAsync"/> (default <see langword="true"/>). Turn it off for vector-only
    /// tables: ingest gets much faster (no terms to build or index). Rows written while it is off have no terms.</summary>
    public bool FullTextSearch { get; init; } = true;

    /// <summary>Gets the default per-query index settings (default: relaxed-order iterative scan).</summary>
    public PgvectorQueryOptions Query { get; init; } = new() { IterativeScan = PgvectorIterativeScan.RelaxedOrder };

    /// <summary>Gets the number of records from which <see cref="PgvectorStore.UpsertAsync"/> loads through binary COPY
    /// into a staging table instead of one parameterised statement per record (default 64).</summary>
    public int CopyThreshold { get; init; } = 64;

    /// <summary>Gets how many records <see cref="PgvectorStore.BulkUpsertAsync"/> commits per transaction (default 10000).</summary>
    public int BulkBatchSize { get; init; } = 10_000;

    /// <summary>Gets how many batches <see cref="PgvectorStore.BulkUpsertAsync"/> writes at once, each on its own
    /// connection and transaction (default 2): one batch's COPY overlaps another's index upkeep, using more server
    /// cores. A batch that repeats an id of a batch in flight waits for that batch to commit first, so the last version
    /// of an id in the stream is the one stored whatever the setting. Set 1 to write strictly one batch after another
    /// (then no batch commits after one that failed).</summary>
    public int BulkParallelism { get; init; } = 2;

    /// <summary>Gets the memory PostgreSQL may use to build the vector index, in megabytes (<c>maintenance_work_mem</c>
    /// for that transaction only); <see langword="null"/> keeps the server's setting. An HNSW graph that does not fit builds much slower.</summary>
    public int? IndexBuildMemoryMegabytes { get; init; }

    /// <summary>Gets a value indicating whether the first operation creates or checks the schema, as
    /// <see cref="PgvectorStore.EnsureSchemaAsync"/> does (default <see langword="true"/>).</summary>
    public bool EnsureSchemaOnFirstUse { get; init; } = true;

    /// <summary>Gets the retry policy for transient failures.</summary>
    public PgvectorRetryOptions Retry { get; init; } = new();

    /// <summary>Gets the clock for retry delays and latency measurements (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the logger factory for schema changes and retries, or <see langword="null"/> for no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The version of the table layout this library creates; stored in the schema's registry table.</summary>
    internal const int SchemaVersion = 1;

    /// <summary>The name of the registry table that records each store table's layout.</summary>
    internal const string RegistryTable = "chains_pgvector_tables";

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it and its value.</exception>
    internal void Validate()
    {
        if (Schema is null || !SchemaName().IsMatch(Schema))
        {
            throw new ArgumentException($"PgvectorStoreOptions.Schema '{Schema}' is not a valid schema name: use 1 to 63 lowercase letters, digits or underscores, starting with a letter or underscore.", nameof(Schema));
        }

        if (Table is null || !TableName().IsMatch(Table) || Table == RegistryTable)
        {
            throw new ArgumentException($"PgvectorStoreOptions.Table '{Table}' is not a valid table name: use 1 to 48 lowercase letters, digits or underscores, starting with a letter or underscore (and not '{RegistryTable}').", nameof(Table));
        }

        if (Dimensions < 1 || Dimensions > 16000)
        {
            throw new ArgumentException($"PgvectorStoreOptions.Dimensions {Dimensions} is out of range: pgvector stores 1 to 16000 dimensions.", nameof(Dimensions));
        }

        var indexLimit = HalfPrecision ? 4000 : 2000;
        if (Index is null)
        {
            throw new ArgumentException("PgvectorStoreOptions.Index is null; use PgvectorIndex.None for no vector index.", nameof(Index));
        }

        if (Index.Kind != PgvectorIndexKind.None && Dimensions > indexLimit)
        {
            throw new ArgumentException(
                $"PgvectorStoreOptions.Dimensions {Dimensions} is too large for a {Index.Kind} index on {(HalfPrecision ? "halfvec" : "vector")} (at most {indexLimit})." +
                (HalfPrecision ? " Reduce the dimensions or use PgvectorIndex.None." : " Set HalfPrecision = true (up to 4000) or use PgvectorIndex.None."),
                nameof(Dimensions));
        }

        if (!Enum.IsDefined(Distance))
        {
            throw new ArgumentException($"PgvectorStoreOptions.Distance {Distance} is not a known distance.", nameof(Distance));
        }

        if (TextSearchConfig is null || !ConfigName().IsMatch(TextSearchConfig))
        {
            throw new ArgumentException($"PgvectorStoreOptions.TextSearchConfig '{TextSearchConfig}' is not a valid text-search configuration name (lowercase letters, digits, underscores).", nameof(TextSearchConfig));
        }

        if (Query is null)
        {
            throw new ArgumentException("PgvectorStoreOptions.Query is null; use new PgvectorQueryOptions() for server defaults.", nameof(Query));
        }

        if (Query.Probes is { } probes && Index.Kind == PgvectorIndexKind.IvfFlat && probes > Index.Lists)
        {
            throw new ArgumentException($"PgvectorStoreOptions.Query.Probes {probes} exceeds the index's {Index.Lists} lists.", nameof(Query));
        }

        if (CopyThreshold < 1)
        {
            throw new ArgumentException($"PgvectorStoreOptions.CopyThreshold {CopyThreshold} must be at least 1.", nameof(CopyThreshold));
        }

        if (BulkBatchSize < 1)
        {
            throw new ArgumentException($"PgvectorStoreOptions.BulkBatchSize {BulkBatchSize} must be at least 1.", nameof(BulkBatchSize));
        }

        if (BulkParallelism is < 1 or > 64)
        {
            throw new ArgumentException($"PgvectorStoreOptions.BulkParallelism {BulkParallelism} must be between 1 and 64.", nameof(BulkParallelism));
        }

        if (IndexBuildMemoryMegabytes is < 1)
        {
            throw new ArgumentException($"PgvectorStoreOptions.IndexBuildMemoryMegabytes {IndexBuildMemoryMegabytes} must be at least 1.", nameof(IndexBuildMemoryMegabytes));
        }

        if (Retry is null || TimeProvider is null)
        {
            throw new ArgumentException($"PgvectorStoreOptions.{(Retry is null ? nameof(Retry) : nameof(TimeProvider))} is null.", Retry is null ? nameof(Retry) : nameof(TimeProvider));
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,47}$")]
    private static partial Regex TableName();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex ConfigName();
}
