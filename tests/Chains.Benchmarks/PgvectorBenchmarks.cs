using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Chains.Indexes;
using Chains.Pgvector;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace Chains.Benchmarks;

// pgvector benchmarks on a real PostgreSQL 17 + pgvector 0.8 server: CHAINS_TEST_POSTGRES, or one started with
// tests/postgres.sh (like the tests) and stopped when the run ends. Data lives in schema chains_bench and is reused by
// later benchmark processes of the same run.
//   dotnet run -c Release --project tests/Chains.Benchmarks -- --filter '*Pgvector*'

/// <summary>
/// Ingest of 100k × 384 chunks (~60 words of content, metadata; GIN index on metadata; no vector index while loading,
/// as pgvector recommends — build it afterwards): <see cref="PgvectorStore.BulkUpsertAsync"/> (10k rows per
/// transaction) against a hand-written per-row parameterised upsert of the same rows (measured on 10k rows), each
/// with full-text terms (GIN-indexed tsvector, the store's default) and without
/// (<see cref="PgvectorStoreOptions.FullTextSearch"/> off). Times and Ops/s are per row. Beside them, the server's own
/// cost of the same rows: an INSERT ... SELECT of them from a table already on the server into the same layout (same
/// indexes, 10k rows per transaction, one connection; no client, no network) — the floor any client path pays.
/// </summary>
/// <remarks>The tables are truncated before every iteration, so this is a fresh ingest: every batch finds none of its
/// ids stored and is copied straight into the table (the store's fast path); batches that replace stored rows go
/// through the staging table and an upsert instead. The per-row baseline writes 10k rows per iteration (five
/// iterations), enough to fill GIN's pending list (gin_pending_list_limit, 4 MB by default) several times, so it pays
/// the same merges into the full-text index as the COPY path, not just the cheap appends before the first merge.</remarks>
[BenchmarkCategory("pgvector")]
[Config(typeof(PgvectorBenchConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[WarmupCount(1)]
[IterationCount(5)]
[InvocationCount(1, unrollFactor: 1)]
public class PgvectorIngestBenchmarks
{
    private const int CopyRows = 100_000;
    private const int PerRowRows = 10_000;
    private NpgsqlDataSource _dataSource = null!;
    private PgvectorStore _fullText = null!;
    private PgvectorStore _vectorOnly = null!;
    private PgvectorStore _fullTextOneConnection = null!;
    private VectorRecord[] _records = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _dataSource = PgvectorBench.CreateDataSource();
        // Fresh tables, so a server reused from an earlier run measures the layout this version creates.
        await using (var drop = _dataSource.CreateCommand($"DROP TABLE IF EXISTS {PgvectorBench.Schema}.ingest_fts, {PgvectorBench.Schema}.ingest_vec, {PgvectorBench.Schema}.ingest_source"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        var options = new PgvectorStoreOptions { Schema = PgvectorBench.Schema, Table = "ingest_fts", Dimensions = PgvectorBench.Dimensions, Index = PgvectorIndex.None };
        _fullText = _dataSource.AsVectorStore(options);
        _vectorOnly = _dataSource.AsVectorStore(options with { Table = "ingest_vec", FullTextSearch = false });
        _fullTextOneConnection = _dataSource.AsVectorStore(options with { BulkParallelism = 1 });
        await _fullText.EnsureSchemaAsync();
        await _vectorOnly.EnsureSchemaAsync();
        _records = PgvectorBench.Records(CopyRows, seed: 1);

        // The rows as the store writes them, numbered, in a table of their own for the server-side floor.
        await _fullText.BulkUpsertAsync(PgvectorBench.Stream(_records));
        await using var source = _dataSource.CreateCommand(
            $"CREATE TABLE {PgvectorBench.Schema}.ingest_source AS SELECT row_number() OVER () AS n, {Columns} FROM {PgvectorBench.Schema}.ingest_fts; " +
            $"CREATE INDEX ON {PgvectorBench.Schema}.ingest_source (n); ANALYZE {PgvectorBench.Schema}.ingest_source");
        await source.ExecuteNonQueryAsync();
    }

    private const string Columns = "id, content, source, span_start, span_length, metadata, metadata_types, terms, embedding";

    [IterationSetup]
    public void Truncate()
    {
        using var cmd = _dataSource.CreateCommand($"TRUNCATE {PgvectorBench.Schema}.ingest_fts, {PgvectorBench.Schema}.ingest_vec");
        cmd.ExecuteNonQuery();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _fullText.DisposeAsync();
        await _vectorOnly.DisposeAsync();
        await _fullTextOneConnection.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    [BenchmarkCategory("full-text"), Benchmark(Baseline = true, OperationsPerInvoke = PerRowRows)]
    public Task PerRowUpsert_FullText() => PerRowAsync("ingest_fts", "to_tsvector('simple', $2)");

    /// <summary>The store's defaults: two batches in flight on two connections (BulkParallelism = 2), so one batch's
    /// COPY overlaps the other's GIN upkeep.</summary>
    [BenchmarkCategory("full-text"), Benchmark(OperationsPerInvoke = CopyRows)]
    public async Task<long> CopyBulkUpsert_FullText() => await _fullText.BulkUpsertAsync(PgvectorBench.Stream(_records));

    /// <summary>The same ingest one batch after another (BulkParallelism = 1).</summary>
    [BenchmarkCategory("full-text"), Benchmark(OperationsPerInvoke = CopyRows)]
    public async Task<long> CopyBulkUpsert_FullText_OneConnection() => await _fullTextOneConnection.BulkUpsertAsync(PgvectorBench.Stream(_records));

    /// <summary>The server alone writing the same rows into the same layout (no client): the floor for one connection.</summary>
    [BenchmarkCategory("full-text"), Benchmark(OperationsPerInvoke = CopyRows)]
    public Task ServerInsertSelect_FullText() => InsertSelectAsync("ingest_fts", "terms", lane: 0, lanes: 1);

    /// <summary>The server alone on two connections, each writing every other 10k rows: the floor with both cores
    /// given to the server and none to a client.</summary>
    [BenchmarkCategory("full-text"), Benchmark(OperationsPerInvoke = CopyRows)]
    public Task ServerInsertSelect_FullText_TwoConnections()
        => Task.WhenAll(InsertSelectAsync("ingest_fts", "terms", lane: 0, lanes: 2), InsertSelectAsync("ingest_fts", "terms", lane: 1, lanes: 2));

    [BenchmarkCategory("vector-only"), Benchmark(Baseline = true, OperationsPerInvoke = PerRowRows)]
    public Task PerRowUpsert_VectorOnly() => PerRowAsync("ingest_vec", "''::tsvector");

    [BenchmarkCategory("vector-only"), Benchmark(OperationsPerInvoke = CopyRows)]
    public async Task<long> CopyBulkUpsert_VectorOnly() => await _vectorOnly.BulkUpsertAsync(PgvectorBench.Stream(_records));

    /// <summary>The server alone writing the same rows (empty terms) into the vector-only layout.</summary>
    [BenchmarkCategory("vector-only"), Benchmark(OperationsPerInvoke = CopyRows)]
    public Task ServerInsertSelect_VectorOnly() => InsertSelectAsync("ingest_vec", "''::tsvector", lane: 0, lanes: 1);

    /// <summary>INSERT ... SELECT of the source rows into a store table, 10k rows per transaction on one connection:
    /// the <paramref name="lane"/>-th of every <paramref name="lanes"/> blocks of 10k.</summary>
    private async Task InsertSelectAsync(string table, string terms, int lane, int lanes)
    {
        await Task.Yield();
        await using var connection = await _dataSource.OpenConnectionAsync();
        for (var from = lane * 10_000; from < CopyRows; from += lanes * 10_000)
        {
            await using var cmd = new NpgsqlCommand(
                $"INSERT INTO {PgvectorBench.Schema}.{table} ({Columns}) " +
                $"SELECT id, content, source, span_start, span_length, metadata, metadata_types, {terms}, embedding FROM {PgvectorBench.Schema}.ingest_source WHERE n > $1 AND n <= $2",
                connection);
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from + 10_000 });
            await cmd.ExecuteNonQueryAsync();
        }
    }

    /// <summary>One INSERT ... ON CONFLICT per record, each its own round trip and transaction.</summary>
    private async Task PerRowAsync(string table, string terms)
    {
        var sql =
            $"INSERT INTO {PgvectorBench.Schema}.{table} (id, content, source, span_start, span_length, metadata, metadata_types, terms, embedding) " +
            $"VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, {terms}, $8) " +
            "ON CONFLICT (id) DO UPDATE SET content = EXCLUDED.content, source = EXCLUDED.source, span_start = EXCLUDED.span_start, " +
            "span_length = EXCLUDED.span_length, metadata = EXCLUDED.metadata, metadata_types = EXCLUDED.metadata_types, terms = EXCLUDED.terms, embedding = EXCLUDED.embedding";
        await using var connection = await _dataSource.OpenConnectionAsync();
        for (var i = 0; i < PerRowRows; i++)
        {
            var record = _records[i];
            var document = record.Document;
            await using var cmd = new NpgsqlCommand(sql, connection);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = document.Id });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = document.Content });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)document.Source ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = document.Span!.Value.Start });
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = document.Span!.Value.Length });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = PgvectorBench.MetadataJson(document.Metadata) });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "{}" });
            cmd.Parameters.Add(new NpgsqlParameter { Value = new Vector(record.Vector) });
            await cmd.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>
/// Top-10 search over 100k × 384 clustered chunks with an HNSW index (m 16, ef_construction 64) at the ef_search the
/// recall tuner picked for recall@10 ≥ 0.95: <see cref="PgvectorStore.SearchAsync(ReadOnlyMemory{float}, VectorSearchOptions?, CancellationToken)"/>
/// against the same SQL run by hand (same settings, same columns, values read raw). Median (p50) and p95 per query.
/// The setup prints the index build time and the tuner's recall table.
/// </summary>
[BenchmarkCategory("pgvector")]
[Config(typeof(PgvectorBenchConfig))]
public class PgvectorQueryBenchmarks
{
    private const int Rows = 100_000;
    private NpgsqlDataSource _dataSource = null!;
    private PgvectorStore _store = null!;
    private IVectorStore _tuned = null!;
    private ReadOnlyMemory<float>[] _queries = null!;
    private string _efSearch = null!;
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _dataSource = PgvectorBench.CreateDataSource();
        var options = new PgvectorStoreOptions
        {
            Schema = PgvectorBench.Schema,
            Table = "query",
            Dimensions = PgvectorBench.Dimensions,
            Index = PgvectorIndex.Hnsw(m: 16, efConstruction: 64),
            IndexBuildMemoryMegabytes = 1024,
        };
        _store = _dataSource.AsVectorStore(options);
        _queries = PgvectorBench.Queries(200, seed: 2);
        var efSearch = await PgvectorBench.LoadOnceAsync(_dataSource, options, Rows, async () =>
        {
            var result = await _store.TuneRecallAsync(_queries, new RecallTuningOptions { Top = 10, TargetRecall = 0.95, Candidates = [10, 20, 40, 60, 80, 120, 200, 400] });
            Console.WriteLine($"// pgvector recall tuning, {Rows} × {PgvectorBench.Dimensions}, {_queries.Length} queries:");
            Console.WriteLine(result.ToString());
            return result.Recommended ?? 400;
        });
        _efSearch = efSearch.ToString(CultureInfo.InvariantCulture);
        _tuned = _store.WithQueryOptions(new PgvectorQueryOptions { EfSearch = efSearch });
        Console.WriteLine($"// pgvector query benchmark uses hnsw.ef_search = {efSearch}");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> RawSql()
    {
        var query = _queries[_next++ % _queries.Length];
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var batch = new NpgsqlBatch(connection);
        var settings = new NpgsqlBatchCommand("SELECT set_config($1, $2, true), set_config($3, $4, true)");
        settings.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "hnsw.ef_search" });
        settings.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _efSearch });
        settings.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "hnsw.iterative_scan" });
        settings.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "relaxed_order" });
        batch.BatchCommands.Add(settings);
        var search = new NpgsqlBatchCommand(
            $"""
            WITH nearest AS MATERIALIZED (
                SELECT id, content, source, span_start, span_length, metadata, metadata_types, embedding <=> $1 AS distance
                FROM {PgvectorBench.Schema}.query
                ORDER BY embedding <=> $1
                LIMIT $2)
            SELECT id, content, source, span_start, span_length, metadata, metadata_types, distance FROM nearest ORDER BY distance, id
            """);
        search.Parameters.Add(new NpgsqlParameter { Value = new Vector(query) });
        search.Parameters.Add(new NpgsqlParameter<int> { TypedValue = 10 });
        batch.BatchCommands.Add(search);
        await using var reader = await batch.ExecuteReaderAsync();
        await reader.NextResultAsync();
        var count = 0;
        while (await reader.ReadAsync())
        {
            _ = reader.GetString(0);
            _ = reader.GetString(1);
            _ = reader.IsDBNull(2) ? null : reader.GetString(2);
            _ = reader.GetInt32(3);
            _ = reader.GetInt32(4);
            _ = reader.GetString(5);
            _ = reader.GetString(6);
            _ = reader.GetDouble(7);
            count++;
        }

        return count;
    }

    [Benchmark]
    public async Task<int> Store()
        => (await _tuned.SearchAsync(_queries[_next++ % _queries.Length], new VectorSearchOptions { Top = 10 })).Count;
}

/// <summary>Adds p50/p95 and rows per second to the pgvector benchmarks.</summary>
public sealed class PgvectorBenchConfig : ManualConfig
{
    public PgvectorBenchConfig()
    {
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, new RowsPerSecondColumn());
    }

    /// <summary>Operations per second from the mean time per operation (a row for ingest, a query for search).</summary>
    private sealed class RowsPerSecondColumn : IColumn
    {
        public string Id => "OpsPerSecond";

        public string ColumnName => "Ops/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Operations (rows or queries) per second, from the mean";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
            => summary[benchmarkCase]?.ResultStatistics is { Mean: > 0 } stats
                ? (1e9 / stats.Mean).ToString("N0", CultureInfo.InvariantCulture)
                : "-";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}

/// <summary>The server, the data and the shared steps of the pgvector benchmarks.</summary>
internal static class PgvectorBench
{
    public const string Schema = "chains_bench";
    public const int Dimensions = 384;
    private const int Clusters = 500;
    private static readonly string[] Words = Enumerable.Range(0, 800).Select(i => "w" + i.ToString("x", CultureInfo.InvariantCulture)).ToArray();
    private static float[][]? _centres;

    /// <summary>Starts a server for the whole run in the host process when the run includes pgvector benchmarks and
    /// CHAINS_TEST_POSTGRES names none, so every benchmark process (they inherit the environment) shares it and its data.</summary>
#pragma warning disable CA2255 // A benchmark executable, not a library: the host must provision the server before it starts benchmark processes.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void StartServerForPgvectorRuns()
    {
        var args = Environment.GetCommandLineArgs();
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CHAINS_TEST_POSTGRES")) &&
            args.Contains("--filter") && args.Any(a => a == "*" || a.Contains("pgvector", StringComparison.OrdinalIgnoreCase)))
        {
            _ = ConnectionString();
        }
    }

    public static NpgsqlDataSource CreateDataSource()
    {
        var builder = new NpgsqlDataSourceBuilder(ConnectionString());
        builder.UseVector();
        return builder.Build();
    }

    /// <summary>Loads <paramref name="rows"/> records into the options' table unless a complete load is already there
    /// (then reads the ef_search stored with it), builds the index after loading and runs <paramref name="tune"/>.</summary>
    public static async Task<int> LoadOnceAsync(NpgsqlDataSource dataSource, PgvectorStoreOptions options, int rows, Func<Task<int>> tune)
    {
        await using (var cmd = dataSource.CreateCommand($"CREATE SCHEMA IF NOT EXISTS {Schema}; CREATE TABLE IF NOT EXISTS {Schema}.loads (table_name text PRIMARY KEY, ef_search int NOT NULL)"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        await using (var cmd = dataSource.CreateCommand($"SELECT ef_search FROM {Schema}.loads WHERE table_name = '{options.Table}'"))
        {
            if (await cmd.ExecuteScalarAsync() is int stored)
            {
                return stored;
            }
        }

        await using (var loader = dataSource.AsVectorStore(options with { Index = PgvectorIndex.None }))
        {
            await loader.EnsureSchemaAsync();
            await using (var cmd = dataSource.CreateCommand($"TRUNCATE {Schema}.{options.Table}"))
            {
                await cmd.ExecuteNonQueryAsync();
            }

            var load = Stopwatch.StartNew();
            await loader.BulkUpsertAsync(Stream(Records(rows, seed: 3)));
            Console.WriteLine($"// pgvector: loaded {rows} rows in {load.Elapsed.TotalSeconds:0.0} s");
        }

        var build = Stopwatch.StartNew();
        await using (var indexed = dataSource.AsVectorStore(options))
        {
            await indexed.EnsureSchemaAsync();
        }

        Console.WriteLine($"// pgvector: built {options.Index} in {build.Elapsed.TotalSeconds:0.0} s");
        await using (var cmd = dataSource.CreateCommand($"ANALYZE {Schema}.{options.Table}"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var efSearch = await tune();
        await using (var cmd = dataSource.CreateCommand($"INSERT INTO {Schema}.loads VALUES ('{options.Table}', {efSearch})"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        return efSearch;
    }

    /// <summary>Makes chunk-like records: ~60 words of content, a source and span, three metadata entries, and a
    /// vector near one of 500 cluster centres.</summary>
    public static VectorRecord[] Records(int count, int seed)
    {
        var random = new Random(seed);
        var centres = Centres();
        var records = new VectorRecord[count];
        for (var i = 0; i < count; i++)
        {
            var content = string.Join(' ', Enumerable.Range(0, 60).Select(_ => Words[random.Next(Words.Length)]));
            var metadata = new DocumentMetadata(new Dictionary<string, object?>
            {
                ["chunk"] = (long)(i % 50),
                ["lang"] = i % 3 == 0 ? "zh" : "en",
                ["tags"] = new[] { Words[i % 40], Words[(i / 40) % 40] },
            });
            var document = new Document($"doc{i / 50}#{i % 50}", content, metadata, $"docs/doc{i / 50}.md", new SourceSpan((i % 50) * 400, content.Length));
            records[i] = new VectorRecord(document, Near(centres[random.Next(Clusters)], random));
        }

        return records;
    }

    /// <summary>Makes query vectors from the same clusters as the data.</summary>
    public static ReadOnlyMemory<float>[] Queries(int count, int seed)
    {
        var random = new Random(seed);
        var centres = Centres();
        return Enumerable.Range(0, count).Select(_ => (ReadOnlyMemory<float>)Near(centres[random.Next(Clusters)], random)).ToArray();
    }

    public static async IAsyncEnumerable<VectorRecord> Stream(VectorRecord[] records)
    {
        await Task.CompletedTask;
        foreach (var record in records)
        {
            yield return record;
        }
    }

    /// <summary>The metadata JSON the per-row baseline sends (System.Text.Json over the plain values).</summary>
    public static string MetadataJson(DocumentMetadata metadata)
        => System.Text.Json.JsonSerializer.Serialize(metadata.ToDictionary(p => p.Key, p => p.Value));

    private static float[][] Centres()
    {
        if (_centres is null)
        {
            var random = new Random(42);
            _centres = Enumerable.Range(0, Clusters).Select(_ => Enumerable.Range(0, Dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()).ToArray();
        }

        return _centres;
    }

    private static float[] Near(float[] centre, Random random)
    {
        var v = new float[centre.Length];
        for (var d = 0; d < v.Length; d++)
        {
            v[d] = centre[d] + (float)((random.NextDouble() - 0.5) * 0.8);
        }

        return v;
    }

    private static string? _connectionString;

    private static string ConnectionString()
    {
        if (Environment.GetEnvironmentVariable("CHAINS_TEST_POSTGRES") is { Length: > 0 } named)
        {
            return named;
        }

        if (_connectionString is not null)
        {
            return _connectionString;
        }

        var root = RepoRoot();
        var output = Run(root, "start");
        string? port = null;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("export CHAINS_TEST_POSTGRES=", StringComparison.Ordinal))
            {
                _connectionString = line["export CHAINS_TEST_POSTGRES=".Length..].Replace("\\", string.Empty, StringComparison.Ordinal);
            }
            else if (line.StartsWith("export CHAINS_TEST_POSTGRES_PORT=", StringComparison.Ordinal))
            {
                port = line["export CHAINS_TEST_POSTGRES_PORT=".Length..];
            }
        }

        if (_connectionString is null || port is null)
        {
            throw new InvalidOperationException($"tests/postgres.sh start printed no connection string: {output}");
        }

        // Benchmark processes started after this inherit the server; the process that started it stops it on exit.
        Environment.SetEnvironmentVariable("CHAINS_TEST_POSTGRES", _connectionString);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Run(root, "stop", port);
        return _connectionString;
    }

    private static string Run(string root, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        psi.ArgumentList.Add(Path.Combine(root, "tests", "postgres.sh"));
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment.Remove("CHAINS_TEST_POSTGRES");
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? stdout.Result
            : throw new InvalidOperationException($"tests/postgres.sh {string.Join(' ', args)} failed ({process.ExitCode}): {stderr} (set CHAINS_TEST_POSTGRES to use an existing server)");
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Chains.sln")) && File.Exists(Path.Combine(dir.FullName, "tests", "postgres.sh")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Chains.sln with tests/postgres.sh not found above the benchmark; set CHAINS_TEST_POSTGRES to an existing server.");
    }
}
