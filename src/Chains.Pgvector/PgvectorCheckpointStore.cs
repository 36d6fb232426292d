using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Chains.Agents.Graph;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Chains.Pgvector;

/// <summary>Options of <see cref="PgvectorCheckpointStore"/>: where the checkpoints live and how failures are retried.</summary>
public sealed partial record PgvectorCheckpointOptions
{
    /// <summary>Gets the PostgreSQL schema of the table (default <c>public</c>; created when missing).</summary>
    public string Schema { get; init; } = "public";

    /// <summary>Gets the table name (default <c>chains_checkpoints</c>; lowercase letters, digits, underscores, at most 63).</summary>
    public string Table { get; init; } = "chains_checkpoints";

    /// <summary>Gets the retry policy for transient failures (a dropped connection, a server restart, a deadlock).</summary>
    public PgvectorRetryOptions Retry { get; init; } = new();

    /// <summary>Gets the clock of the retry delays (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the logger factory for schema creation, retention and retries, or <see langword="null"/> for no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    internal void Validate()
    {
        if (Schema is null || !Identifier().IsMatch(Schema))
        {
            throw new ArgumentException($"PgvectorCheckpointOptions.Schema '{Schema}' is not a valid schema name: use 1 to 63 lowercase letters, digits or underscores, starting with a letter or underscore.", nameof(Schema));
        }

        if (Table is null || !Identifier().IsMatch(Table))
        {
            throw new ArgumentException($"PgvectorCheckpointOptions.Table '{Table}' is not a valid table name: use 1 to 63 lowercase letters, digits or underscores, starting with a letter or underscore.", nameof(Table));
        }

        if (TimeProvider is null || Retry is null)
        {
            var name = TimeProvider is null ? nameof(TimeProvider) : nameof(Retry);
            throw new ArgumentException($"PgvectorCheckpointOptions.{name} is null.", name);
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}

/// <summary>
/// An <see cref="ICheckpointStore"/> on PostgreSQL, so graph runs survive the death of their process and any app
/// instance can resume them: one row per checkpoint (thread id, step, status, time, state, run metadata). A save and its
/// retention run in one transaction, serialized per thread by a transaction-scoped advisory lock, so after a crash the
/// latest checkpoint is the complete new one or the previous one, and a thread's steps only grow. Create one with
/// <see cref="PgvectorDataSourceExtensions.AsCheckpointStore"/>.
/// </summary>
/// <remarks>
/// <para>The state is kept in a <c>json</c> column, which PostgreSQL stores as the exact text it was given: the state
/// comes back byte for byte (key order, number spelling, <c>\u0000</c> escapes), which <c>jsonb</c> would not promise.
/// The nodes, interrupt, joins and the exact time are kept as JSON in a second column; the status and time are also
/// columns of their own for queries such as "runs still waiting for a human".</para>
/// <para>Table layout: <c>thread_id text, step bigint, status text, created_at timestamptz, state json, meta json,
/// PRIMARY KEY (thread_id, step)</c>.</para>
/// </remarks>
public sealed partial class PgvectorCheckpointStore : ICheckpointStore, IAsyncDisposable, IDisposable
{
    /// <summary>The seed of the advisory lock that serializes the saves of one thread.</summary>
    private const long ThreadLockSeed = 7325013950262919;

    /// <summary>The advisory lock that serializes schema creation across processes.</summary>
    private const long SchemaLock = 7325013950262920;

    /// <summary>How many checkpoints <see cref="ListAsync"/> reads per round trip.</summary>
    private const int ListPage = 64;

    private readonly NpgsqlDataSource _dataSource;
    private readonly PgvectorCheckpointOptions _options;
    private readonly bool _ownsDataSource;
    private readonly RetryPolicy _retry;
    private readonly ILogger _logger;
    private readonly string _table;
    private PgvectorDbTarget? _dbTarget;
    private volatile bool _schemaReady;
    private int _disposed;

    internal PgvectorCheckpointStore(NpgsqlDataSource dataSource, PgvectorCheckpointOptions options, bool ownsDataSource)
    {
        _dataSource = dataSource;
        _options = options;
        _ownsDataSource = ownsDataSource;
        _table = PgvectorTable.Quote(options.Schema) + "." + PgvectorTable.Quote(options.Table);
        _logger = (ILogger?)options.LoggerFactory?.CreateLogger<PgvectorCheckpointStore>() ?? NullLogger.Instance;
        _retry = new RetryPolicy(options.Retry, options.TimeProvider, _logger);
    }

    /// <summary>Gets the options the store was created with.</summary>
    public PgvectorCheckpointOptions Options => _options;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="checkpoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The checkpoint has no state or an invalid thread id, or the thread already
    /// has a checkpoint of this or a later step (nothing was written).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The step is negative.</exception>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached.</exception>
    public async ValueTask SaveAsync(GraphCheckpoint checkpoint, CheckpointRetention retention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        CheckThread(checkpoint.ThreadId, nameof(checkpoint));
        ArgumentOutOfRangeException.ThrowIfNegative(checkpoint.Step);
        if (checkpoint.State.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException($"The checkpoint of thread '{checkpoint.ThreadId}', step {checkpoint.Step}, has no state (default JsonElement); serialize the state first.", nameof(checkpoint));
        }

        var state = checkpoint.State.GetRawText();
        var meta = JsonSerializer.Serialize(CheckpointMeta.From(checkpoint), CheckpointMetaJsonContext.Default.CheckpointMeta);
        cancellationToken.ThrowIfCancellationRequested();
        var attempted = false;
        var deleted = await RunAsync(
            PgvectorTelemetry.Insert,
            countRows: false,
            string.Create(CultureInfo.InvariantCulture, $"save checkpoint {checkpoint.Step}"),
            async ct =>
            {
                var retry = attempted;
                attempted = true;
                await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

                // Serialize the saves of this thread, then check that the step grows; rows of other threads are untouched.
                long? latest = null;
                var sameAsStored = false;
                await using (var batch = new NpgsqlBatch(connection, tx))
                {
                    batch.BatchCommands.Add(Command("SELECT pg_advisory_xact_lock(hashtextextended($1, " + ThreadLockSeed.ToString(CultureInfo.InvariantCulture) + "))", checkpoint.ThreadId));
                    batch.BatchCommands.Add(Command(
                        $"SELECT step, state::text = $2 AND meta::text = $3 FROM {_table} WHERE thread_id = $1 ORDER BY step DESC LIMIT 1",
                        checkpoint.ThreadId,
                        Text(state),
                        Text(meta)));
                    await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    await reader.NextResultAsync(ct).ConfigureAwait(false);
                    if (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        latest = reader.GetInt64(0);
                        sameAsStored = reader.GetBoolean(1);
                    }
                }

                if (latest >= checkpoint.Step)
                {
                    // An earlier attempt whose commit succeeded but whose answer was lost has already saved this very checkpoint.
                    if (retry && latest == checkpoint.Step && sameAsStored)
                    {
                        return 0;
                    }

                    throw new ArgumentException($"Thread '{checkpoint.ThreadId}' already has step {latest}; checkpoint steps must grow (got {checkpoint.Step}). Nothing was saved.", nameof(checkpoint));
                }

                await using (var batch = new NpgsqlBatch(connection, tx))
                {
                    batch.BatchCommands.Add(Command(
                        $"INSERT INTO {_table} (thread_id, step, status, created_at, state, meta) VALUES ($1, $2, $3, $4, $5, $6)",
                        checkpoint.ThreadId,
                        new NpgsqlParameter<long> { TypedValue = checkpoint.Step, NpgsqlDbType = NpgsqlDbType.Bigint },
                        Text(checkpoint.Status.ToString()),
                        new NpgsqlParameter<DateTimeOffset> { TypedValue = checkpoint.CreatedAt.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz },
                        new NpgsqlParameter<string> { TypedValue = state, NpgsqlDbType = NpgsqlDbType.Json },
                        new NpgsqlParameter<string> { TypedValue = meta, NpgsqlDbType = NpgsqlDbType.Json }));
                    if (retention.KeepLastCount is { } keep)
                    {
                        // The newest `keep` steps survive (the new one among them); older ones go in the same transaction.
                        batch.BatchCommands.Add(Command(
                            $"DELETE FROM {_table} WHERE thread_id = $1 AND step < (SELECT step FROM {_table} WHERE thread_id = $1 ORDER BY step DESC OFFSET $2 LIMIT 1)",
                            checkpoint.ThreadId,
                            new NpgsqlParameter<int> { TypedValue = keep - 1, NpgsqlDbType = NpgsqlDbType.Integer }));
                    }

                    await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    var removed = retention.KeepLastCount is null ? 0 : batch.BatchCommands[1].RecordsAffected;
                    await tx.CommitAsync(ct).ConfigureAwait(false);
                    return removed;
                }
            },
            cancellationToken).ConfigureAwait(false);
        if (deleted > 0 && retention.KeepLastCount is { } kept)
        {
            LogRetention(_logger, deleted, checkpoint.ThreadId, kept);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="threadId"/> holds NUL characters.</exception>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached.</exception>
    public async ValueTask<GraphCheckpoint?> GetAsync(string threadId, long? step = null, CancellationToken cancellationToken = default)
    {
        CheckThread(threadId, nameof(threadId));
        var page = await RunAsync(
            PgvectorTelemetry.Select,
            countRows: true,
            "read a checkpoint",
            ct => ReadAsync(
                step is null
                    ? $"SELECT {Columns} FROM {_table} WHERE thread_id = $1 ORDER BY step DESC LIMIT 1"
                    : $"SELECT {Columns} FROM {_table} WHERE thread_id = $1 AND step = $2",
                threadId,
                step,
                ct),
            cancellationToken).ConfigureAwait(false);
        return page.Count == 0 ? null : page[0];
    }

    /// <inheritdoc />
    /// <remarks>Read in pages of a few dozen checkpoints, newest first; each page is one retried query.</remarks>
    /// <exception cref="ArgumentException"><paramref name="threadId"/> holds NUL characters.</exception>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached.</exception>
    public async IAsyncEnumerable<GraphCheckpoint> ListAsync(string threadId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        CheckThread(threadId, nameof(threadId));
        long? before = null;
        while (true)
        {
            var below = before;
            var page = await RunAsync(
                PgvectorTelemetry.Select,
                countRows: true,
                "list checkpoints",
                ct => ReadAsync(
                    below is null
                        ? $"SELECT {Columns} FROM {_table} WHERE thread_id = $1 ORDER BY step DESC LIMIT {ListPage}"
                        : $"SELECT {Columns} FROM {_table} WHERE thread_id = $1 AND step < $2 ORDER BY step DESC LIMIT {ListPage}",
                    threadId,
                    below,
                    ct),
                cancellationToken).ConfigureAwait(false);
            foreach (var checkpoint in page)
            {
                yield return checkpoint;
            }

            if (page.Count < ListPage)
            {
                yield break;
            }

            before = page[^1].Step;
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="threadId"/> holds NUL characters.</exception>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached.</exception>
    public ValueTask<int> DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default)
    {
        CheckThread(threadId, nameof(threadId));
        return new ValueTask<int>(RunAsync(
            PgvectorTelemetry.Delete,
            countRows: true,
            "delete a thread's checkpoints",
            async ct =>
            {
                await using var cmd = _dataSource.CreateCommand($"DELETE FROM {_table} WHERE thread_id = $1");
                cmd.Parameters.Add(Text(threadId));
                return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken));
    }

    /// <summary>Creates the schema and table when missing; safe to call at start-up from many processes at once. Every
    /// other method does it on first use.</summary>
    /// <param name="cancellationToken">A token that cancels the creation.</param>
    /// <returns>A task that completes when the table exists.</returns>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached.</exception>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken = default) => RunCoreAsync("check the checkpoint table", _ => Task.FromResult(true), cancellationToken);

    /// <summary>Releases the data source when the store owns it.</summary>
    /// <returns>A task that completes when the store is disposed.</returns>
    public ValueTask DisposeAsync()
        => Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsDataSource ? _dataSource.DisposeAsync() : ValueTask.CompletedTask;

    /// <summary>Releases the data source when the store owns it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    private const string Columns = "thread_id, step, state, meta";

    private async Task<List<GraphCheckpoint>> ReadAsync(string sql, string threadId, long? step, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(sql);
        cmd.Parameters.Add(Text(threadId));
        if (step is { } s)
        {
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = s, NpgsqlDbType = NpgsqlDbType.Bigint });
        }

        var checkpoints = new List<GraphCheckpoint>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var thread = reader.GetString(0);
            var at = reader.GetInt64(1);
            CheckpointMeta meta;
            JsonElement state;
            try
            {
                state = JsonElement.Parse(reader.GetString(2));
                meta = JsonSerializer.Deserialize(reader.GetString(3), CheckpointMetaJsonContext.Default.CheckpointMeta)
                    ?? throw new JsonException("The meta column holds null.");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"The checkpoint of thread '{thread}', step {at}, in {_options.Schema}.{_options.Table} is damaged: {ex.Message}", ex);
            }

            checkpoints.Add(meta.ToCheckpoint(thread, at, state));
        }

        return checkpoints;
    }

    private static void CheckThread(string threadId, string parameter)
    {
        if (threadId is null)
        {
            throw new ArgumentNullException(parameter, "The thread id is null.");
        }

        if (threadId.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The thread id '{threadId.Replace("\0", "\\0", StringComparison.Ordinal)}' contains NUL characters, which PostgreSQL text cannot hold; use another id.", parameter);
        }
    }

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlBatchCommand Command(string sql, string threadId, params NpgsqlParameter[] more)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.Add(Text(threadId));
        foreach (var parameter in more)
        {
            cmd.Parameters.Add(parameter);
        }

        return cmd;
    }

    /// <summary>Runs an operation like <see cref="RunCoreAsync"/>, inside its span while someone listens (see
    /// <see cref="PgvectorTelemetry"/>).</summary>
    private Task<T> RunAsync<T>(string dbOperation, bool countRows, string name, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
        => PgvectorTelemetry.IsEnabled
            ? PgvectorTelemetry.TraceAsync(_dbTarget ??= new PgvectorDbTarget(_options.Schema + "." + _options.Table, _dataSource), dbOperation, countRows, ct => RunCoreAsync(name, operation, ct), cancellationToken)
            : RunCoreAsync(name, operation, cancellationToken);

    /// <summary>Runs an operation after creating the table if needed, retrying transient failures.</summary>
    private async Task<T> RunCoreAsync<T>(string name, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_schemaReady)
        {
            // Idempotent, and serialized across processes by an advisory lock (concurrent CREATE ... IF NOT EXISTS can collide).
            var created = await _retry.ExecuteAsync(
                "create the checkpoint table",
                async ct =>
                {
                    await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                    await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                    await using var batch = new NpgsqlBatch(connection, tx);
                    batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock({SchemaLock.ToString(CultureInfo.InvariantCulture)})"));
                    var exists = new NpgsqlBatchCommand("SELECT to_regclass($1) IS NULL");
                    exists.Parameters.Add(Text(_table));
                    batch.BatchCommands.Add(exists);
                    batch.BatchCommands.Add(new NpgsqlBatchCommand($"CREATE SCHEMA IF NOT EXISTS {PgvectorTable.Quote(_options.Schema)}"));
                    batch.BatchCommands.Add(new NpgsqlBatchCommand(
                        $"CREATE TABLE IF NOT EXISTS {_table} (thread_id text NOT NULL, step bigint NOT NULL, status text NOT NULL, " +
                        "created_at timestamptz NOT NULL, state json NOT NULL, meta json NOT NULL, PRIMARY KEY (thread_id, step))"));
                    batch.BatchCommands.Add(new NpgsqlBatchCommand($"CREATE INDEX IF NOT EXISTS {PgvectorTable.Quote(_options.Table + "_status")} ON {_table} (status, created_at)"));
                    var missing = false;
                    await using (var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false))
                    {
                        await reader.NextResultAsync(ct).ConfigureAwait(false);
                        if (await reader.ReadAsync(ct).ConfigureAwait(false))
                        {
                            missing = reader.GetBoolean(0);
                        }
                    }

                    await tx.CommitAsync(ct).ConfigureAwait(false);
                    return missing;
                },
                cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
            if (created)
            {
                LogTableCreated(_logger, _options.Schema + "." + _options.Table);
            }
        }

        return await _retry.ExecuteAsync(name, operation, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the graph checkpoint table {Table}")]
    private static partial void LogTableCreated(ILogger logger, string table);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Removed {Count} old checkpoint(s) of thread {ThreadId}, keeping the newest {Keep}")]
    private static partial void LogRetention(ILogger logger, int count, string threadId, int keep);
}

/// <summary>What a checkpoint holds besides its thread, step and state, as stored in the <c>meta</c> column.</summary>
internal sealed record CheckpointMeta(
    IReadOnlyList<string> NextNodes,
    IReadOnlyList<string> RanNodes,
    GraphStatus Status,
    GraphInterrupt? Interrupt,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? PendingJoins,
    DateTimeOffset CreatedAt)
{
    public static CheckpointMeta From(GraphCheckpoint checkpoint)
        => new(checkpoint.NextNodes, checkpoint.RanNodes, checkpoint.Status, checkpoint.Interrupt, checkpoint.PendingJoins, checkpoint.CreatedAt);

    public GraphCheckpoint ToCheckpoint(string threadId, long step, JsonElement state) => new()
    {
        ThreadId = threadId,
        Step = step,
        State = state,
        NextNodes = NextNodes ?? [],
        RanNodes = RanNodes ?? [],
        Status = Status,
        Interrupt = Interrupt,
        PendingJoins = PendingJoins,
        CreatedAt = CreatedAt,
    };
}

/// <summary>The JSON of <see cref="CheckpointMeta"/>: web defaults, enums as names, the time with its offset and full precision.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, WriteIndented = false)]
[JsonSerializable(typeof(CheckpointMeta))]
internal sealed partial class CheckpointMetaJsonContext : JsonSerializerContext;
