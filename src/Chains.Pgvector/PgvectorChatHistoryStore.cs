using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Chains.Memory;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Chains.Pgvector;

/// <summary>Options of <see cref="PgvectorChatHistoryStore"/>: where the messages live and how long they are kept.</summary>
public sealed partial record PgvectorChatHistoryOptions
{
    private readonly int? _maxMessages;
    private readonly TimeSpan? _maxAge;

    /// <summary>Gets the PostgreSQL schema of the table (default <c>public</c>; created when missing).</summary>
    public string Schema { get; init; } = "public";

    /// <summary>Gets the table name (default <c>chains_chat_messages</c>; lowercase letters, digits, underscores, at most 63).</summary>
    public string Table { get; init; } = "chains_chat_messages";

    /// <summary>Gets how many messages a session keeps at most, or <see langword="null"/> for no limit (the default).
    /// Each append deletes the session's oldest messages beyond the limit in the same transaction.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int? MaxMessagesPerSession
    {
        get => _maxMessages;
        init => _maxMessages = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxMessagesPerSession), value, "MaxMessagesPerSession must be at least 1.");
    }

    /// <summary>Gets how long messages are kept, or <see langword="null"/> for ever (the default). Older messages are
    /// never loaded; appends delete the session's expired messages and <see cref="PgvectorChatHistoryStore.PurgeExpiredAsync"/>
    /// deletes those of every session.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan? MaxAge
    {
        get => _maxAge;
        init => _maxAge = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(MaxAge), value, "MaxAge must be positive.");
    }

    /// <summary>Gets the clock that stamps messages and decides what has expired (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the retry policy for transient failures.</summary>
    public PgvectorRetryOptions Retry { get; init; } = new();

    /// <summary>Gets the logger factory for retries, or <see langword="null"/> for no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    internal void Validate()
    {
        if (Schema is null || !Identifier().IsMatch(Schema))
        {
            throw new ArgumentException($"PgvectorChatHistoryOptions.Schema '{Schema}' is not a valid schema name: use 1 to 63 lowercase letters, digits or underscores, starting with a letter or underscore.", nameof(Schema));
        }

        if (Table is null || !Identifier().IsMatch(Table))
        {
            throw new ArgumentException($"PgvectorChatHistoryOptions.Table '{Table}' is not a valid table name: use 1 to 63 lowercase letters, digits or underscores, starting with a letter or underscore.", nameof(Table));
        }

        if (TimeProvider is null || Retry is null)
        {
            throw new ArgumentException($"PgvectorChatHistoryOptions.{(TimeProvider is null ? nameof(TimeProvider) : nameof(Retry))} is null.", TimeProvider is null ? nameof(TimeProvider) : nameof(Retry));
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}

/// <summary>
/// An <see cref="IChatHistoryStore"/> on PostgreSQL: one row per message (session id, sequence number, JSON, time),
/// appends serialized per session by a transaction-scoped advisory lock so concurrent appends never interleave, and
/// retention by count and age. Create one with <see cref="PgvectorDataSourceExtensions.AsChatHistoryStore"/>.
/// </summary>
/// <remarks>Messages are stored as <c>json</c> (verbatim, so polymorphic content keeps its <c>$type</c> first) written
/// with <see cref="AIJsonUtilities.DefaultOptions"/>. Retention trims the oldest messages regardless of conversation
/// shape; put a reducer in front of the model to keep tool calls and results together.</remarks>
public sealed class PgvectorChatHistoryStore : IChatHistoryStore
{
    private static readonly JsonTypeInfo<ChatMessage> MessageInfo = (JsonTypeInfo<ChatMessage>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));

    private readonly NpgsqlDataSource _dataSource;
    private readonly PgvectorChatHistoryOptions _options;
    private readonly RetryPolicy _retry;
    private readonly string _table;
    private volatile bool _schemaReady;
    private PgvectorDbTarget? _dbTarget;

    internal PgvectorChatHistoryStore(NpgsqlDataSource dataSource, PgvectorChatHistoryOptions options)
    {
        _dataSource = dataSource;
        _options = options;
        _table = PgvectorTable.Quote(options.Schema) + "." + PgvectorTable.Quote(options.Table);
        var logger = (ILogger?)options.LoggerFactory?.CreateLogger<PgvectorChatHistoryStore>() ?? NullLogger.Instance;
        _retry = new RetryPolicy(options.Retry, options.TimeProvider, logger);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ChatMessage>> LoadAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        CheckSession(sessionId);
        return RunAsync(
            PgvectorTelemetry.Select,
            "load chat history",
            async ct =>
            {
                var p = new SqlParameters();
                var session = p.Add(sessionId, NpgsqlDbType.Text);
                var cutoff = Cutoff() is { } c ? $" AND created_at >= {p.Add(c, NpgsqlDbType.TimestampTz)}" : string.Empty;
                var sql = _options.MaxMessagesPerSession is { } max
                    ? $"SELECT message FROM (SELECT message, seq FROM {_table} WHERE session_id = {session}{cutoff} ORDER BY seq DESC LIMIT {p.Add(max, NpgsqlDbType.Integer)}) AS m ORDER BY seq"
                    : $"SELECT message FROM {_table} WHERE session_id = {session}{cutoff} ORDER BY seq";
                await using var cmd = _dataSource.CreateCommand(sql);
                p.CopyTo(cmd.Parameters);
                var messages = new List<ChatMessage>();
                await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    messages.Add(JsonSerializer.Deserialize(reader.GetString(0), MessageInfo) ?? throw new JsonException("A stored chat message is null."));
                }

                return (IReadOnlyList<ChatMessage>)messages;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task AppendAsync(string sessionId, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        CheckSession(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        var json = messages.Select(m => m is null
            ? throw new ArgumentException("The messages hold null; nothing was stored.", nameof(messages))
            : JsonSerializer.Serialize(m, MessageInfo)).ToArray();
        cancellationToken.ThrowIfCancellationRequested();
        if (json.Length == 0)
        {
            return Task.CompletedTask;
        }

        // Once started, the write completes: the token is not passed on.
        return RunAsync(
            PgvectorTelemetry.Insert,
            string.Create(CultureInfo.InvariantCulture, $"append {json.Length} chat message(s)"),
            async ct =>
            {
                var now = _options.TimeProvider.GetUtcNow();
                await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using var batch = new NpgsqlBatch(connection, tx);
                batch.BatchCommands.Add(Command("SELECT pg_advisory_xact_lock(hashtextextended($1, 7325013950262917))", sessionId));
                batch.BatchCommands.Add(Command(
                    $"INSERT INTO {_table} (session_id, seq, message, created_at) " +
                    $"SELECT $1, coalesce((SELECT max(seq) FROM {_table} WHERE session_id = $1), 0) + m.n, m.message, $3 " +
                    "FROM unnest($2::json[]) WITH ORDINALITY AS m(message, n)",
                    sessionId,
                    new NpgsqlParameter<string[]> { TypedValue = json, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    new NpgsqlParameter<DateTimeOffset> { TypedValue = now, NpgsqlDbType = NpgsqlDbType.TimestampTz }));
                if (_options.MaxMessagesPerSession is { } max)
                {
                    batch.BatchCommands.Add(Command(
                        $"DELETE FROM {_table} WHERE session_id = $1 AND seq <= (SELECT max(seq) FROM {_table} WHERE session_id = $1) - $2",
                        sessionId,
                        new NpgsqlParameter<int> { TypedValue = max }));
                }

                if (Cutoff() is { } cutoff)
                {
                    batch.BatchCommands.Add(Command(
                        $"DELETE FROM {_table} WHERE session_id = $1 AND created_at < $2",
                        sessionId,
                        new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff, NpgsqlDbType = NpgsqlDbType.TimestampTz }));
                }

                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return json.Length;
            },
            CancellationToken.None);
    }

    /// <inheritdoc />
    public Task ClearAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        CheckSession(sessionId);
        return RunAsync(
            PgvectorTelemetry.Delete,
            "clear chat history",
            async ct =>
            {
                await using var cmd = _dataSource.CreateCommand($"DELETE FROM {_table} WHERE session_id = $1");
                cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sessionId, NpgsqlDbType = NpgsqlDbType.Text });
                return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <summary>Deletes the expired messages of every session (older than <see cref="PgvectorChatHistoryOptions.MaxAge"/>),
    /// for a periodic clean-up job; sessions that are appended to clean themselves.</summary>
    /// <param name="cancellationToken">A token that cancels the clean-up.</param>
    /// <returns>The number of messages deleted (0 without a maximum age).</returns>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached.</exception>
    public Task<int> PurgeExpiredAsync(CancellationToken cancellationToken = default)
    {
        if (Cutoff() is not { } cutoff)
        {
            return Task.FromResult(0);
        }

        return RunAsync(
            PgvectorTelemetry.Delete,
            "purge expired chat messages",
            async ct =>
            {
                await using var cmd = _dataSource.CreateCommand($"DELETE FROM {_table} WHERE created_at < $1");
                cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken);
    }

    private static void CheckSession(string sessionId)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        if (sessionId.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A session id cannot contain NUL characters (PostgreSQL text cannot hold them).", nameof(sessionId));
        }
    }

    private static NpgsqlBatchCommand Command(string sql, string sessionId, params NpgsqlParameter[] more)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sessionId, NpgsqlDbType = NpgsqlDbType.Text });
        foreach (var parameter in more)
        {
            cmd.Parameters.Add(parameter);
        }

        return cmd;
    }

    private DateTimeOffset? Cutoff() => _options.MaxAge is { } age ? (_options.TimeProvider.GetUtcNow() - age).ToUniversalTime() : null;

    /// <summary>Runs an operation after creating the table if needed, retrying transient failures, inside its span
    /// while someone listens (see <see cref="PgvectorTelemetry"/>).</summary>
    private Task<T> RunAsync<T>(string dbOperation, string name, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
        => PgvectorTelemetry.IsEnabled
            ? PgvectorTelemetry.TraceAsync(_dbTarget ??= new PgvectorDbTarget(_options.Schema + "." + _options.Table, _dataSource), dbOperation, countRows: true, ct => RunCoreAsync(name, operation, ct), cancellationToken)
            : RunCoreAsync(name, operation, cancellationToken);

    private async Task<T> RunCoreAsync<T>(string name, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        if (!_schemaReady)
        {
            // Idempotent, and serialized across processes by an advisory lock (concurrent CREATE ... IF NOT EXISTS can collide).
            await _retry.ExecuteAsync(
                "create the chat history table",
                async ct =>
                {
                    await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                    await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                    await using var cmd = new NpgsqlCommand(
                        "SELECT pg_advisory_xact_lock(7325013950262918); " +
                        $"CREATE SCHEMA IF NOT EXISTS {PgvectorTable.Quote(_options.Schema)}; " +
                        $"CREATE TABLE IF NOT EXISTS {_table} (session_id text NOT NULL, seq bigint NOT NULL, message json NOT NULL, created_at timestamptz NOT NULL, PRIMARY KEY (session_id, seq)); " +
                        $"CREATE INDEX IF NOT EXISTS {PgvectorTable.Quote(_options.Table + "_created_at")} ON {_table} (created_at)",
                        connection,
                        tx);
                    await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    await tx.CommitAsync(ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }

        return await _retry.ExecuteAsync(name, operation, cancellationToken).ConfigureAwait(false);
    }
}
