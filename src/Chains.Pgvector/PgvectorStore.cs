using System.Diagnostics;
using System.Globalization;
using Chains.Indexes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Chains.Pgvector;

/// <summary>
/// An <see cref="IVectorStore"/> on PostgreSQL with pgvector: one table per store holding the document (id, content,
/// source, span), its metadata as <c>jsonb</c> and its embedding as <c>vector(n)</c> or <c>halfvec(n)</c>, with an HNSW or
/// IVFFlat index, GIN indexes on metadata and full-text terms. Create one with
/// <see cref="PgvectorDataSourceExtensions.AsVectorStore"/>. Thread-safe; every operation takes a pooled
/// connection for its own duration and is retried as a whole on transient failures.
/// </summary>
/// <remarks>
/// Metadata filters compile to parameterised SQL (no key or value is ever part of the SQL text). Per-query index
/// settings (<c>hnsw.ef_search</c>, <c>hnsw.iterative_scan</c>, <c>ivfflat.probes</c>) are set transaction-locally in
/// the same round trip as the query, so they never leak to other users of a pooled connection.
/// </remarks>
public sealed partial class PgvectorStore : IVectorStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PgvectorTable _table;
    private readonly PgvectorSchema _schema;
    private readonly RetryPolicy _retry;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;
    private int _disposed;

    internal PgvectorStore(NpgsqlDataSource dataSource, PgvectorStoreOptions options, bool ownsDataSource)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        Options = options;
        _table = new PgvectorTable(options);
        var logger = (ILogger?)options.LoggerFactory?.CreateLogger<PgvectorStore>() ?? NullLogger.Instance;
        _logger = logger;
        _schema = new PgvectorSchema(_table, logger);
        _retry = new RetryPolicy(options.Retry, options.TimeProvider, logger);
    }

    /// <summary>Gets the options the store was created with.</summary>
    public PgvectorStoreOptions Options { get; }

    internal PgvectorTable Table => _table;

    /// <summary>
    /// Creates what is missing and checks what exists, idempotently and safely from concurrent processes: the
    /// <c>vector</c> extension, the schema, the table, its vector and GIN indexes, and a registry row recording the
    /// layout version. Runs on first use unless <see cref="PgvectorStoreOptions.EnsureSchemaOnFirstUse"/> is off.
    /// </summary>
    /// <param name="cancellationToken">A token that cancels the work.</param>
    /// <returns>A task that completes when the schema is ready.</returns>
    /// <exception cref="InvalidOperationException">The existing table has another dimension, vector type, distance or
    /// text-search configuration (nothing is changed), or the data source was built without <c>UseVector()</c>.</exception>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached.</exception>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _retry.ExecuteAsync(
                "create or check the schema",
                async ct =>
                {
                    await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                    await _schema.EnsureAsync(connection, ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>From <see cref="PgvectorStoreOptions.CopyThreshold"/> records on, the records are loaded by binary COPY:
    /// those whose ids are not stored yet straight into the table, those that replace stored ones into a temporary
    /// staging table and upserted from there; smaller calls send one parameterised upsert per record in a single round
    /// trip. Either way the call is one transaction. Duplicate ids in one call: the last one wins.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A record is null, its vector has the wrong dimension, or its id, content, source
    /// or metadata holds text PostgreSQL cannot store (a NUL character, an unpaired surrogate); nothing is written.</exception>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached; nothing was written.</exception>
    public Task UpsertAsync(IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var rows = Prepare(records);
        return rows.Count == 0
            ? Task.CompletedTask
            : RunAsync(rows.Copy ? PgvectorTelemetry.Copy : PgvectorTelemetry.Upsert, string.Create(CultureInfo.InvariantCulture, $"upsert {rows.Count} record(s)"), ct => WriteAsync(rows, ct), cancellationToken);
    }

    /// <summary>
    /// Loads a stream of records in batches of <see cref="PgvectorStoreOptions.BulkBatchSize"/>, each batch one
    /// transaction (binary COPY straight into the table for ids not stored yet; into a staging table, then an upsert,
    /// for ids that are), retried as a whole on transient failures, with up
    /// to <see cref="PgvectorStoreOptions.BulkParallelism"/> batches in flight (a batch repeating an id of one in flight
    /// waits for it, so the stream's last version of each id is stored). Unlike <see cref="UpsertAsync"/> the load is
    /// not atomic: batches committed before a failure stay, and with more than one in flight so may a batch after the
    /// failed one; loading again is safe, as every batch is an upsert.
    /// </summary>
    /// <param name="records">The records.</param>
    /// <param name="cancellationToken">A token that stops the load after the current batch.</param>
    /// <returns>The number of records written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A record is null, its vector has the wrong dimension, or its id, content, source
    /// or metadata holds text PostgreSQL cannot store (a NUL character, an unpaired surrogate); the batch holding it is not written.</exception>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached.</exception>
    public async Task<long> BulkUpsertAsync(IAsyncEnumerable<VectorRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        // While batches are being written (up to BulkParallelism at once, each on its own connection and transaction),
        // the next is read and prepared (JSON, terms), so client and server work overlap. A batch that repeats an id of
        // a batch still in flight waits until that batch (and every one before it) has committed, so the stream's last
        // version of an id is the one stored, however many batches are in flight.
        long total = 0;
        long read = 0;
        var writing = new Queue<InFlightBatch>();
        var batch = new List<VectorRecord>(Math.Min(Options.BulkBatchSize, 100_000));
        try
        {
            await foreach (var record in records.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                batch.Add(record);
                read++;
                if (batch.Count >= Options.BulkBatchSize)
                {
                    var rows = Prepare(batch, copy: true, streamOffset: read - batch.Count);
                    batch.Clear();
                    total += await StartBatchAsync(writing, rows, cancellationToken).ConfigureAwait(false);
                }
            }

            if (batch.Count > 0)
            {
                total += await StartBatchAsync(writing, Prepare(batch, copy: true, streamOffset: read - batch.Count), cancellationToken).ConfigureAwait(false);
            }

            while (writing.Count > 0)
            {
                total += await writing.Dequeue().Write.ConfigureAwait(false);
            }
        }
        finally
        {
            // An exception left writes in flight: let them finish (or fail) before the caller moves on.
            foreach (var inFlight in writing)
            {
                await Task.WhenAny(inFlight.Write).ConfigureAwait(false);
                _ = inFlight.Write.Exception; // observed; the caller sees the exception that ended the load
            }
        }

        return total;
    }

    /// <summary>A batch of <see cref="BulkUpsertAsync"/> being written, with its ids while others may be in flight.</summary>
    private readonly record struct InFlightBatch(Task<int> Write, HashSet<string>? Ids);

    /// <summary>Starts writing a batch once there is room for it and no batch in flight holds one of its ids; returns
    /// the rows written by the batches it waited for.</summary>
    private async Task<long> StartBatchAsync(Queue<InFlightBatch> writing, Rows rows, CancellationToken cancellationToken)
    {
        long written = 0;
        var ids = Options.BulkParallelism > 1 ? rows.Items.Select(r => r.Id).ToHashSet(StringComparer.Ordinal) : null;
        if (ids is not null)
        {
            // The last in-flight batch sharing an id, and all before it (commit order is queue order for them).
            var wait = 0;
            var position = 0;
            foreach (var inFlight in writing)
            {
                position++;
                if (inFlight.Ids!.Overlaps(ids))
                {
                    wait = position;
                }
            }

            for (; wait > 0; wait--)
            {
                written += await writing.Dequeue().Write.ConfigureAwait(false);
            }
        }

        while (writing.Count >= Options.BulkParallelism)
        {
            written += await writing.Dequeue().Write.ConfigureAwait(false);
        }

        writing.Enqueue(new InFlightBatch(WriteBatchAsync(rows, cancellationToken), ids));
        return written;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="selection"/> is <see langword="null"/>.</exception>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached.</exception>
    public Task<int> DeleteAsync(VectorSelection selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (selection.Ids is { Count: 0 })
        {
            return Task.FromResult(0);
        }

        var p = new SqlParameters();
        var where = selection.Ids is { } ids
            ? "id = ANY(" + p.Add(ids.Distinct(StringComparer.Ordinal).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text) + ")"
            : FilterSql.Compile(selection.Filter!, p);
        return RunCommandAsync(PgvectorTelemetry.Delete, "delete records", $"DELETE FROM {_table.Name} WHERE {where}", p, static (cmd, ct) => cmd.ExecuteNonQueryAsync(ct), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<VectorSearchResult>> SearchAsync(ReadOnlyMemory<float> vector, VectorSearchOptions? options = null, CancellationToken cancellationToken = default)
        => SearchAsync(vector, options, null, cancellationToken);

    /// <summary>
    /// Returns a view of this store whose searches use <paramref name="queryOptions"/> (for example a tuned
    /// <c>hnsw.ef_search</c>, or exact search); unset values fall back to <see cref="PgvectorStoreOptions.Query"/>.
    /// Writes and deletes go to this store unchanged. The view is cheap and shares this store's connections.
    /// </summary>
    /// <param name="queryOptions">The index settings for searches through the view.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queryOptions"/> is <see langword="null"/>.</exception>
    public IVectorStore WithQueryOptions(PgvectorQueryOptions queryOptions)
    {
        ArgumentNullException.ThrowIfNull(queryOptions);
        return new QueryScopedStore(this, queryOptions);
    }

    /// <summary>Runs a nearest-neighbour search with per-query settings.</summary>
    internal Task<IReadOnlyList<VectorSearchResult>> SearchAsync(ReadOnlyMemory<float> vector, VectorSearchOptions? options, PgvectorQueryOptions? queryOptions, CancellationToken cancellationToken)
    {
        _table.CheckDimensions(vector, nameof(vector));
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        options ??= new VectorSearchOptions();
        var settings = (queryOptions ?? new PgvectorQueryOptions()).Over(Options.Query);
        var p = new SqlParameters();
        var sql = NearestSql(p, vector, options.Filter, options.Top, options.IncludeVectors ? PgvectorTable.DocumentColumns + ", embedding" : PgvectorTable.DocumentColumns);
        return RunAsync(
            PgvectorTelemetry.Search,
            "search",
            ct => ReadResultsAsync(settings, sql, p, options.Top, reader =>
            {
                var score = _table.Score(reader.GetDouble(reader.FieldCount - 1));
                return options.MinScore is { } min && score < min
                    ? null
                    : new VectorSearchResult(PgvectorTable.ReadDocument(reader), score)
                    {
                        Vector = options.IncludeVectors ? PgvectorTable.ReadVector(reader, 7) : ReadOnlyMemory<float>.Empty,
                    };
            }, ct),
            cancellationToken);
    }

    /// <summary>
    /// Searches by meaning and by words at once: the nearest vectors and the best full-text matches (PostgreSQL
    /// <c>tsvector</c> with the table's text-search configuration; Chinese and Japanese as character bigrams) are fused
    /// by reciprocal rank fusion in one SQL statement. The score is the fused score: the sum over both lists of
    /// weight / (k + rank).
    /// </summary>
    /// <param name="query">The query text.</param>
    /// <param name="vector">The query's embedding.</param>
    /// <param name="options">How many results, candidates per list, weights, a filter.</param>
    /// <param name="cancellationToken">A token that cancels the search.</param>
    /// <returns>The matches, best first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The vector has the wrong dimension.</exception>
    /// <exception cref="InvalidOperationException">The store was created with <see cref="PgvectorStoreOptions.FullTextSearch"/> off.</exception>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached.</exception>
    public Task<IReadOnlyList<VectorSearchResult>> HybridSearchAsync(string query, ReadOnlyMemory<float> vector, HybridSearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        _table.CheckDimensions(vector, nameof(vector));
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!Options.FullTextSearch)
        {
            throw new InvalidOperationException($"Hybrid search needs full-text terms, but the store '{_table.DisplayName}' was created with FullTextSearch = false.");
        }

        options ??= new HybridSearchOptions();
        var settings = (options.Query ?? new PgvectorQueryOptions()).Over(Options.Query);
        var p = new SqlParameters();
        var sql = HybridSearch.Sql(this, p, query, vector, options);
        return RunAsync(
            PgvectorTelemetry.HybridSearch,
            "hybrid search",
            ct => ReadResultsAsync(settings, sql, p, options.Top, reader => new VectorSearchResult(PgvectorTable.ReadDocument(reader), reader.GetDouble(7)), ct),
            cancellationToken);
    }

    /// <summary>Runs a search statement after its per-query settings and reads its rows into results, stopping at the
    /// first row <paramref name="read"/> turns down (returns <see langword="null"/> for).</summary>
    private async Task<IReadOnlyList<VectorSearchResult>> ReadResultsAsync(PgvectorQueryOptions settings, string sql, SqlParameters p, int capacity, Func<NpgsqlDataReader, VectorSearchResult?> read, CancellationToken cancellationToken)
    {
        var results = new List<VectorSearchResult>(capacity);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = CreateBatch(connection, settings, sql, p);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await SkipSettingsAsync(reader, batch, cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && read(reader) is { } result)
        {
            results.Add(result);
        }

        return results;
    }

    /// <summary>
    /// Measures recall@k of the vector index against exact search for sample queries at each candidate setting
    /// (<c>hnsw.ef_search</c> for HNSW, <c>ivfflat.probes</c> for IVFFlat) and picks the smallest setting that reaches
    /// the target recall. Apply it through <see cref="PgvectorStoreOptions.Query"/> or <see cref="WithQueryOptions"/>.
    /// </summary>
    /// <param name="queries">Sample query vectors, ideally real queries or held-out document embeddings.</param>
    /// <param name="options">k, the target recall, the settings to try and an optional filter.</param>
    /// <param name="cancellationToken">A token that cancels the measurement.</param>
    /// <returns>The recall and mean latency per setting, and the recommended setting.</returns>
    /// <exception cref="ArgumentException">No query was given or a query has the wrong dimension.</exception>
    /// <exception cref="InvalidOperationException">The store has no vector index.</exception>
    public Task<RecallTuningResult> TuneRecallAsync(IReadOnlyList<ReadOnlyMemory<float>> queries, RecallTuningOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return RecallTuner.TuneAsync(this, queries, options ?? new RecallTuningOptions(), cancellationToken);
    }

    /// <summary>Counts the stored records.</summary>
    /// <param name="filter">A metadata filter the counted records must pass, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">A token that cancels the count.</param>
    /// <returns>The number of records.</returns>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached.</exception>
    public Task<long> CountAsync(MetadataFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var p = new SqlParameters();
        var sql = $"SELECT count(*) FROM {_table.Name}" + (filter is null ? string.Empty : " WHERE " + FilterSql.Compile(filter, p));
        return RunCommandAsync(PgvectorTelemetry.Count, "count records", sql, p, static async (cmd, ct) => (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!, cancellationToken);
    }

    /// <summary>Runs one parameterised statement on a connection of its own, with the store's retries and telemetry.</summary>
    private Task<T> RunCommandAsync<T>(string dbOperation, string name, string sql, SqlParameters p, Func<NpgsqlCommand, CancellationToken, Task<T>> execute, CancellationToken cancellationToken)
        => RunAsync(
            dbOperation,
            name,
            async ct =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var cmd = new NpgsqlCommand(sql, connection);
                p.CopyTo(cmd.Parameters);
                return await execute(cmd, ct).ConfigureAwait(false);
            },
            cancellationToken);

    /// <summary>Releases the data source when the store owns it.</summary>
    /// <returns>A task that completes when the store is disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _schemaLock.Dispose();
        _recordsLock.Dispose();
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Releases the data source when the store owns it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _schemaLock.Dispose();
        _recordsLock.Dispose();
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    /// <summary>Builds the nearest-neighbour query: an index-ordered scan with LIMIT, materialized and re-sorted by
    /// distance so relaxed-order iterative scans still return rows best first.</summary>
    internal string NearestSql(SqlParameters p, ReadOnlyMemory<float> vector, MetadataFilter? filter, int top, string columns)
    {
        var v = p.Add(_table.ToParameter(vector));
        var where = filter is null ? string.Empty : "WHERE " + FilterSql.Compile(filter, p);
        var limit = p.Add(top, NpgsqlDbType.Integer);
        return $"""
            WITH nearest AS MATERIALIZED (
                SELECT {columns}, embedding {_table.Operator} {v} AS distance
                FROM {_table.Name} {where}
                ORDER BY embedding {_table.Operator} {v}
                LIMIT {limit})
            SELECT {columns}, distance FROM nearest ORDER BY distance, id
            """;
    }

    /// <summary>Creates a batch that first applies <paramref name="settings"/> transaction-locally, then runs <paramref name="sql"/>.</summary>
    internal NpgsqlBatch CreateBatch(NpgsqlConnection connection, PgvectorQueryOptions settings, string sql, SqlParameters p)
    {
        var batch = new NpgsqlBatch(connection);
        var pairs = Settings(settings);
        if (pairs.Count > 0)
        {
            var sp = new SqlParameters();
            var calls = pairs.Select(pair => $"set_config({sp.Add(pair.Name, NpgsqlDbType.Text)}, {sp.Add(pair.Value, NpgsqlDbType.Text)}, true)");
            var settingsCommand = new NpgsqlBatchCommand("SELECT " + string.Join(", ", calls));
            sp.CopyTo(settingsCommand.Parameters);
            batch.BatchCommands.Add(settingsCommand);
        }

        var query = new NpgsqlBatchCommand(sql);
        p.CopyTo(query.Parameters);
        batch.BatchCommands.Add(query);
        return batch;
    }

    /// <summary>Moves a reader from the settings command's result to the query's.</summary>
    internal static async Task SkipSettingsAsync(NpgsqlDataReader reader, NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        if (batch.BatchCommands.Count > 1)
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs an operation after making sure the schema is ready, retrying transient failures.</summary>
    internal async Task<T> RunAsync<T>(string name, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        if (!_schemaReady && Options.EnsureSchemaOnFirstUse)
        {
            await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _retry.ExecuteAsync(name, operation, cancellationToken).ConfigureAwait(false);
    }

    internal NpgsqlDataSource DataSource => _dataSource;

    private List<(string Name, string Value)> Settings(PgvectorQueryOptions settings)
    {
        var pairs = new List<(string, string)>(3);
        if (settings.Exact)
        {
            pairs.Add(("enable_indexscan", "off"));
            return pairs;
        }

        switch (Options.Index.Kind)
        {
            case PgvectorIndexKind.Hnsw:
                if (settings.EfSearch is { } ef)
                {
                    pairs.Add(("hnsw.ef_search", ef.ToString(CultureInfo.InvariantCulture)));
                }

                if (settings.IterativeScan is { } hnswScan)
                {
                    pairs.Add(("hnsw.iterative_scan", hnswScan switch
                    {
                        PgvectorIterativeScan.StrictOrder => "strict_order",
                        PgvectorIterativeScan.RelaxedOrder => "relaxed_order",
                        _ => "off",
                    }));
                }

                if (settings.MaxScanTuples is { } tuples)
                {
                    pairs.Add(("hnsw.max_scan_tuples", tuples.ToString(CultureInfo.InvariantCulture)));
                }

                break;
            case PgvectorIndexKind.IvfFlat:
                if (settings.Probes is { } probes)
                {
                    pairs.Add(("ivfflat.probes", probes.ToString(CultureInfo.InvariantCulture)));
                }

                if (settings.IterativeScan is { } ivfScan)
                {
                    pairs.Add(("ivfflat.iterative_scan", ivfScan == PgvectorIterativeScan.Off ? "off" : "relaxed_order"));
                }

                break;
        }

        return pairs;
    }

    private async Task<int> WriteBatchAsync(Rows rows, CancellationToken cancellationToken)
    {
        await RunAsync(PgvectorTelemetry.Copy, string.Create(CultureInfo.InvariantCulture, $"bulk upsert a batch of {rows.Count} record(s)"), ct => CopyAsync(rows, ct), cancellationToken).ConfigureAwait(false);
        return rows.Count;
    }

    /// <summary>Validates records, keeps the last of each id (at the place of its first), and converts them for the
    /// write path: binary COPY when <paramref name="copy"/> says so or, left unset, from
    /// <see cref="PgvectorStoreOptions.CopyThreshold"/> rows on; per-row statements otherwise. A bulk load passes
    /// where its batch starts in the stream, so messages number records as the caller sees them.</summary>
    private Rows Prepare(IReadOnlyList<VectorRecord> records, bool? copy = null, long? streamOffset = null)
    {
        var byId = new Dictionary<string, int>(records.Count, StringComparer.Ordinal);
        var kept = new List<VectorRecord>(records.Count);
        var notWritten = streamOffset is null ? "Nothing was written." : "Its batch was not written; batches before it stay.";
        for (var i = 0; i < records.Count; i++)
        {
            var index = (streamOffset ?? 0) + i;
            var record = records[i] ?? throw new ArgumentException($"Record {index} is null. {notWritten}", nameof(records));
            if (record.Vector.Length != Options.Dimensions)
            {
                throw new ArgumentException(
                    $"Record {index} ('{record.Document.Id}') has a vector of {record.Vector.Length} dimensions; the store '{_table.DisplayName}' holds {Options.Dimensions}. {notWritten}",
                    nameof(records));
            }

            if (StorableText.Problem(record.Document) is { } problem)
            {
                var id = StorableText.Problem(record.Document.Id) is null ? $" ('{record.Document.Id}')" : string.Empty;
                throw new ArgumentException($"Record {index}{id} has {problem}; PostgreSQL cannot store it. {notWritten}", nameof(records));
            }

            if (byId.TryGetValue(record.Document.Id, out var at))
            {
                kept[at] = record;
            }
            else
            {
                byId[record.Document.Id] = kept.Count;
                kept.Add(record);
            }
        }

        var binary = copy ?? kept.Count >= Options.CopyThreshold;
        var rows = new List<Row>(kept.Count);
        foreach (var record in kept)
        {
            rows.Add(Row.From(record, _table, binary));
        }

        return new Rows(rows, binary);
    }

    private Task<int> WriteAsync(Rows rows, CancellationToken cancellationToken)
        => rows.Copy ? CopyAsync(rows, cancellationToken) : InsertAsync(rows, cancellationToken);

    private const string UpsertTail =
        "ON CONFLICT (id) DO UPDATE SET content = EXCLUDED.content, source = EXCLUDED.source, span_start = EXCLUDED.span_start, " +
        "span_length = EXCLUDED.span_length, metadata = EXCLUDED.metadata, metadata_types = EXCLUDED.metadata_types, " +
        "terms = EXCLUDED.terms, embedding = EXCLUDED.embedding";

    /// <summary>Gets whether full-text terms are built on the client (the <c>simple</c> configuration), or partly by
    /// <c>to_tsvector</c> with the table's configuration on the server.</summary>
    private bool ClientTerms => !Options.FullTextSearch || string.Equals(Options.TextSearchConfig, TextTerms.ClientConfig, StringComparison.Ordinal);

    private async Task<int> InsertAsync(Rows rows, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await InsertRowsAsync(connection, tx, rows, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count;
    }

    private async Task<int> CopyAsync(Rows rows, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var written = await CopyRowsAsync(connection, tx, rows, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return written;
    }

    /// <summary>Upserts rows inside a transaction by the path they were prepared for: binary COPY, or one statement per row.</summary>
    private Task<int> WriteRowsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Rows rows, CancellationToken cancellationToken)
        => rows.Copy ? CopyRowsAsync(connection, tx, rows, cancellationToken) : InsertRowsAsync(connection, tx, rows, cancellationToken);

    private async Task<int> InsertRowsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Rows rows, CancellationToken cancellationToken)
    {
        var terms = ClientTerms ? "$9::tsvector" : "to_tsvector($10::regconfig, coalesce($11, $2)) || $9::tsvector";
        var sql =
            $"INSERT INTO {_table.Name} (id, content, source, span_start, span_length, metadata, metadata_types, embedding, terms) " +
            $"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, {terms}) " +
            UpsertTail;
        await using var batch = new NpgsqlBatch(connection, tx);
        foreach (var row in rows.Items)
        {
            var cmd = new NpgsqlBatchCommand(sql);
            var p = cmd.Parameters;
            p.Add(new NpgsqlParameter<string>() { TypedValue = row.Id, NpgsqlDbType = NpgsqlDbType.Text });
            p.Add(new NpgsqlParameter<string>() { TypedValue = row.Content, NpgsqlDbType = NpgsqlDbType.Text });
            p.Add(new NpgsqlParameter { Value = (object?)row.Source ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            p.Add(new NpgsqlParameter { Value = (object?)row.SpanStart ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
            p.Add(new NpgsqlParameter { Value = (object?)row.SpanLength ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
            p.Add(new NpgsqlParameter<string>() { TypedValue = row.Metadata, NpgsqlDbType = NpgsqlDbType.Jsonb });
            p.Add(new NpgsqlParameter<string>() { TypedValue = row.Types, NpgsqlDbType = NpgsqlDbType.Jsonb });
            p.Add(new NpgsqlParameter { Value = row.Vector });
            p.Add(new NpgsqlParameter<string>() { TypedValue = row.TermsText!, NpgsqlDbType = NpgsqlDbType.Text });
            if (!ClientTerms)
            {
                p.Add(new NpgsqlParameter<string>() { TypedValue = Options.TextSearchConfig, NpgsqlDbType = NpgsqlDbType.Text });
                p.Add(new NpgsqlParameter { Value = (object?)row.ParsedText ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            }

            batch.BatchCommands.Add(cmd);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count;
    }

    /// <summary>Writes binary-prepared rows inside a transaction. Rows whose ids are not in the table yet (the common
    /// case: ingest of new chunks) are copied straight into it; rows that replace stored ones go through a staging
    /// table and an upsert. The check and the writes share the caller's transaction.</summary>
    /// <remarks>A concurrent writer can insert one of the "new" ids after the check. The direct COPY then fails with a
    /// unique violation (after waiting for that writer to commit): it runs under a savepoint, so the copy alone is
    /// rolled back and the whole batch is redone by the staging upsert, which overwrites the other writer's row
    /// (last writer wins, as an upsert always does). Nothing is lost or written twice. With a text-search
    /// configuration other than <c>simple</c> the terms are computed by the server from the staged text, so that
    /// case always takes the staging path.</remarks>
    private async Task<int> CopyRowsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Rows rows, CancellationToken cancellationToken)
    {
        if (!ClientTerms)
        {
            SetDirectRows(0, conflict: false);
            return await StageAndUpsertAsync(connection, tx, rows, cancellationToken).ConfigureAwait(false);
        }

        // One round trip: which ids exist (a primary-key probe per id) and the savepoint the direct copy runs under
        // (the commit releases it).
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using (var check = new NpgsqlBatch(connection, tx))
        {
            var select = new NpgsqlBatchCommand($"SELECT id FROM {_table.Name} WHERE id = ANY($1)");
            select.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Items.Select(r => r.Id).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            check.BatchCommands.Add(select);
            check.BatchCommands.Add(new NpgsqlBatchCommand("SAVEPOINT chains_pgvector_copy"));
            await using var reader = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                existing.Add(reader.GetString(0));
            }
        }

        if (existing.Count == rows.Count)
        {
            SetDirectRows(0, conflict: false);
            return await StageAndUpsertAsync(connection, tx, rows, cancellationToken).ConfigureAwait(false);
        }

        var fresh = existing.Count == 0 ? rows.Items : rows.Items.Where(r => !existing.Contains(r.Id)).ToList();
        try
        {
            await CopyIntoTableAsync(connection, fresh, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            LogCopyConflict(_logger, _table.DisplayName, rows.Count);
            await using (var rollback = new NpgsqlCommand("ROLLBACK TO SAVEPOINT chains_pgvector_copy", connection, tx))
            {
                await rollback.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            SetDirectRows(0, conflict: true);
            return await StageAndUpsertAsync(connection, tx, rows, cancellationToken).ConfigureAwait(false);
        }

        SetDirectRows(fresh.Count, conflict: false);
        if (existing.Count > 0)
        {
            await StageAndUpsertAsync(connection, tx, new Rows(rows.Items.Where(r => existing.Contains(r.Id)).ToList(), Copy: true), cancellationToken).ConfigureAwait(false);
        }

        return rows.Count;
    }

    /// <summary>Records on the operation's span how many rows skipped the staging table, and whether a concurrent
    /// insert sent the batch back to the staging upsert.</summary>
    private static void SetDirectRows(int rows, bool conflict)
    {
        if (Activity.Current is { Source.Name: PgvectorTelemetry.SourceName, IsAllDataRequested: true } activity)
        {
            activity.SetTag(PgvectorTelemetry.DirectRowsTag, (long)rows);
            activity.SetTag(PgvectorTelemetry.CopyConflictTag, conflict ? true : null);
        }
    }

    /// <summary>Binary COPY of rows straight into the store table (no staging table, no upsert): for ids known to be
    /// absent, with client-built terms.</summary>
    private async Task CopyIntoTableAsync(NpgsqlConnection connection, List<Row> rows, CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {_table.Name} (id, content, source, span_start, span_length, metadata, metadata_types, terms, embedding) FROM STDIN (FORMAT BINARY)",
            cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.Id, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.Content, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(writer, row.Source, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(writer, row.SpanStart, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(writer, row.SpanLength, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.Metadata, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.Types, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);

            // Binary tsvector as tsvectorrecv reads it; without full text, the empty tsvector the upsert path writes.
            await writer.WriteAsync(row.TermsBinary ?? EmptyTermsBinary, NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(row.Vector, _table.VectorType, cancellationToken).ConfigureAwait(false);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The binary form of the empty tsvector: a lexeme count of zero.</summary>
    private static readonly byte[] EmptyTermsBinary = [0, 0, 0, 0];

    /// <summary>Upserts rows through a temporary staging table: binary COPY into it, then one INSERT ... SELECT ...
    /// ON CONFLICT into the store table.</summary>
    private async Task<int> StageAndUpsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Rows rows, CancellationToken cancellationToken)
    {
        // The staging table holds what the target's columns need and nothing else: the client-built terms arrive as
        // binary tsvector values (the server takes them in without parsing), the text for the server's configuration
        // only when that is not 'simple'. Its rows stay inline and uncompressed up to a page (toast_tuple_target, as
        // in the store tables this version creates): a chunk row (text, terms, a 1.5 kB vector) is just over the ~2 kB
        // at which PostgreSQL would otherwise compress it and move its terms out of line, once into the staging table
        // and again into the target.
        var fullText = Options.FullTextSearch;
        var parsed = fullText && !ClientTerms;
        var columns = "id, content, source, span_start, span_length, metadata, metadata_types, " + (parsed ? "parsed, " : string.Empty) + (fullText ? "terms, " : string.Empty) + "embedding";
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE chains_pgvector_stage (id text, content text, source text, span_start int, span_length int, metadata jsonb, metadata_types jsonb, " +
            (parsed ? "parsed text, " : string.Empty) + (fullText ? "terms tsvector, " : string.Empty) +
            $"embedding {_table.VectorType}) WITH (toast_tuple_target = {PgvectorTable.InlineRowBytes}) ON COMMIT DROP",
            connection,
            tx))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var writer = await connection.BeginBinaryImportAsync($"COPY chains_pgvector_stage ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in rows.Items)
            {
                await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(row.Id, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(row.Content, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(writer, row.Source, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(writer, row.SpanStart, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(writer, row.SpanLength, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(row.Metadata, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(row.Types, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
                if (parsed)
                {
                    await WriteNullableAsync(writer, row.ParsedText, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                }

                if (fullText)
                {
                    // A binary COPY field carries no type: the server reads it with the column's receive function
                    // (tsvectorrecv), so the bytes of TextTerms.ForDocumentBinary go out as they are.
                    await writer.WriteAsync(row.TermsBinary!, NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
                }

                await writer.WriteAsync(row.Vector, _table.VectorType, cancellationToken).ConfigureAwait(false);
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        var terms = !fullText ? "''::tsvector" : parsed ? "to_tsvector($1::regconfig, coalesce(parsed, content)) || terms" : "terms";
        await using var upsert = new NpgsqlCommand(
            $"INSERT INTO {_table.Name} (id, content, source, span_start, span_length, metadata, metadata_types, terms, embedding) " +
            $"SELECT id, content, source, span_start, span_length, metadata, metadata_types, {terms}, embedding FROM chains_pgvector_stage " +
            UpsertTail,
            connection,
            tx);
        if (parsed)
        {
            upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Options.TextSearchConfig, NpgsqlDbType = NpgsqlDbType.Text });
        }

        return await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A concurrent writer inserted one of the new ids of a batch of {Count} record(s) for {Table}; the batch is upserted through the staging table instead")]
    private static partial void LogCopyConflict(ILogger logger, string table, int count);

    private static Task WriteNullableAsync(NpgsqlBinaryImporter writer, string? value, NpgsqlDbType type, CancellationToken cancellationToken)
        => value is null ? writer.WriteNullAsync(cancellationToken) : writer.WriteAsync(value, type, cancellationToken);

    private static Task WriteNullableAsync(NpgsqlBinaryImporter writer, int? value, NpgsqlDbType type, CancellationToken cancellationToken)
        => value is { } v ? writer.WriteAsync(v, type, cancellationToken) : writer.WriteNullAsync(cancellationToken);

    /// <summary>A view of a store with its own query settings.</summary>
    private sealed class QueryScopedStore(PgvectorStore store, PgvectorQueryOptions queryOptions) : IVectorStore
    {
        public Task UpsertAsync(IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default) => store.UpsertAsync(records, cancellationToken);

        public Task<int> DeleteAsync(VectorSelection selection, CancellationToken cancellationToken = default) => store.DeleteAsync(selection, cancellationToken);

        public Task<IReadOnlyList<VectorSearchResult>> SearchAsync(ReadOnlyMemory<float> vector, VectorSearchOptions? options = null, CancellationToken cancellationToken = default)
            => store.SearchAsync(vector, options, queryOptions, cancellationToken);
    }

    /// <summary>Rows prepared for one write path.</summary>
    /// <param name="Items">The rows, one per id.</param>
    /// <param name="Copy"><see langword="true"/> when the rows carry binary terms for COPY, <see langword="false"/>
    /// when they carry text terms for per-row statements.</param>
    private sealed record Rows(List<Row> Items, bool Copy)
    {
        public int Count => Items.Count;
    }

    /// <summary>A record in the form it is written: metadata as JSON, full-text input split, vector as a pgvector value.
    /// The client-built terms are in text form for per-row statements (<see cref="TermsText"/>) or in binary form for
    /// COPY (<see cref="TermsBinary"/>), never both.</summary>
    private sealed record Row(string Id, string Content, string? Source, int? SpanStart, int? SpanLength, string Metadata, string Types, string? ParsedText, string? TermsText, byte[]? TermsBinary, object Vector)
    {
        public static Row From(VectorRecord record, PgvectorTable table, bool binary)
        {
            var document = record.Document;
            var (metadata, types) = MetadataJson.Write(document.Metadata);
            string? parsed = null;
            string? text = null;
            byte[]? bytes = null;
            if (!table.Options.FullTextSearch)
            {
                text = binary ? null : string.Empty;
            }
            else if (binary)
            {
                (parsed, bytes) = TextTerms.ForDocumentBinary(document.Content, includeWords: string.Equals(table.Options.TextSearchConfig, TextTerms.ClientConfig, StringComparison.Ordinal));
            }
            else
            {
                (parsed, text) = TextTerms.ForDocument(document.Content, includeWords: string.Equals(table.Options.TextSearchConfig, TextTerms.ClientConfig, StringComparison.Ordinal));
            }

            return new Row(document.Id, document.Content, document.Source, document.Span?.Start, document.Span?.Length, metadata, types, parsed, text, bytes, table.ToParameter(record.Vector));
        }
    }
}
