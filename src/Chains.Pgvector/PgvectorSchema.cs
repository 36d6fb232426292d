using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Chains.Pgvector;

/// <summary>
/// Creates and checks a store's schema in one transaction, under an advisory lock so concurrent instances do not race:
/// the <c>vector</c> extension, the PostgreSQL schema, a registry table recording each store table's layout version,
/// dimension, vector type, distance and text-search configuration, the table and its indexes (vector, GIN on
/// <c>metadata</c>, GIN on <c>terms</c>). An existing table whose layout differs from the options is an error, raised
/// before anything is written.
/// </summary>
internal sealed partial class PgvectorSchema
{
    private const long LockKey = 0x43_68_61_69_6E_73_50_67; // "ChainsPg"
    private static readonly string[] RequiredColumns = ["id", "content", "source", "span_start", "span_length", "metadata", "metadata_types", "terms", "embedding"];

    private readonly PgvectorTable _table;
    private readonly ILogger _logger;

    /// <summary>Initializes the schema manager.</summary>
    /// <param name="table">The table vocabulary.</param>
    /// <param name="logger">The logger for schema changes.</param>
    public PgvectorSchema(PgvectorTable table, ILogger logger)
    {
        _table = table;
        _logger = logger;
    }

    /// <summary>Creates what is missing and checks what exists.</summary>
    /// <param name="connection">An open connection (no transaction in progress).</param>
    /// <param name="cancellationToken">A token that cancels the work.</param>
    /// <returns>A task that completes when the schema is ready.</returns>
    /// <exception cref="InvalidOperationException">The existing table does not match the options, or the data source lacks <c>UseVector()</c>.</exception>
    public async Task EnsureAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var options = _table.Options;
        bool createdExtension;
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock($1)", cancellationToken, LockKey).ConfigureAwait(false);
            createdExtension = await ScalarAsync<bool>(connection, tx, "SELECT NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector')", cancellationToken).ConfigureAwait(false);
            if (createdExtension)
            {
                await CreateExtensionAsync(connection, tx, cancellationToken).ConfigureAwait(false);
            }

            if (await ScalarAsync<bool>(connection, tx, "SELECT to_regnamespace($1) IS NULL", cancellationToken, _table.Schema).ConfigureAwait(false))
            {
                await ExecuteAsync(connection, tx, $"CREATE SCHEMA IF NOT EXISTS {_table.Schema}", cancellationToken).ConfigureAwait(false);
            }

            if (!await ScalarAsync<bool>(connection, tx, "SELECT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = $1)", cancellationToken, options.TextSearchConfig).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"PgvectorStoreOptions.TextSearchConfig '{options.TextSearchConfig}' is not a text-search configuration of this database (see pg_ts_config). Nothing was changed.");
            }

            await ExecuteAsync(
                connection,
                tx,
                $"""
                CREATE TABLE IF NOT EXISTS {_table.Registry} (
                    table_name text PRIMARY KEY,
                    schema_version int NOT NULL,
                    dimensions int NOT NULL,
                    vector_type text NOT NULL,
                    distance text NOT NULL,
                    text_search_config text NOT NULL,
                    vector_index text NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now())
                """,
                cancellationToken).ConfigureAwait(false);

            var exists = await ScalarAsync<bool>(connection, tx, "SELECT to_regclass($1) IS NOT NULL", cancellationToken, _table.Name).ConfigureAwait(false);
            if (exists)
            {
                await CheckExistingAsync(connection, tx, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ExecuteAsync(
                    connection,
                    tx,
                    $"""
                    CREATE TABLE {_table.Name} (
                        id text PRIMARY KEY,
                        content text NOT NULL,
                        source text,
                        span_start int,
                        span_length int,
                        metadata jsonb NOT NULL DEFAULT '{"{}"}',
                        metadata_types jsonb NOT NULL DEFAULT '{"{}"}',
                        terms tsvector NOT NULL DEFAULT ''::tsvector,
                        embedding {_table.ColumnType} NOT NULL)
                    WITH (toast_tuple_target = {PgvectorTable.InlineRowBytes})
                    """,
                    cancellationToken).ConfigureAwait(false);

                // pgvector's types default to EXTERNAL storage: once full-text terms and content push a row past ~2 kB,
                // the vector would move to the TOAST table and every distance computation would fetch it from there.
                await ExecuteAsync(connection, tx, $"ALTER TABLE {_table.Name} ALTER COLUMN embedding SET STORAGE MAIN", cancellationToken).ConfigureAwait(false);
                LogTableCreated(_logger, _table.DisplayName, _table.ColumnType, _table.DistanceName);
            }

            await CreateIndexesAsync(connection, tx, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(
                connection,
                tx,
                $"""
                INSERT INTO {_table.Registry} (table_name, schema_version, dimensions, vector_type, distance, text_search_config, vector_index)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (table_name) DO UPDATE SET schema_version = EXCLUDED.schema_version, vector_index = EXCLUDED.vector_index, updated_at = now()
                WHERE {_table.Registry}.schema_version IS DISTINCT FROM EXCLUDED.schema_version OR {_table.Registry}.vector_index IS DISTINCT FROM EXCLUDED.vector_index
                """,
                cancellationToken,
                options.Table,
                PgvectorStoreOptions.SchemaVersion,
                options.Dimensions,
                _table.VectorType,
                _table.DistanceName,
                options.TextSearchConfig,
                options.Index.ToString()).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (createdExtension)
        {
            // The vector types did not exist when this data source loaded its type catalogue.
            await connection.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
        }

        await CheckTypeMappingAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CreateExtensionAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(connection, tx, "CREATE EXTENSION IF NOT EXISTS vector", cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.UndefinedFile)
        {
            throw new InvalidOperationException(
                $"The pgvector extension is not installed in this database and could not be created ({ex.SqlState}: {ex.MessageText}). " +
                "Install pgvector on the server and run CREATE EXTENSION vector as a privileged user.",
                ex);
        }
    }

    private async Task CheckExistingAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        var options = _table.Options;
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var cmd = Command(
            connection,
            tx,
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
            _table.Name))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                columns[reader.GetString(0)] = reader.GetString(1);
            }
        }

        var missing = RequiredColumns.Where(c => !columns.ContainsKey(c)).ToArray();
        if (missing.Length > 0)
        {
            throw Mismatch($"the table exists but is not a Chains pgvector table (missing columns: {string.Join(", ", missing)})");
        }

        var stored = columns["embedding"];
        if (!string.Equals(stored, _table.ColumnType, StringComparison.Ordinal))
        {
            throw Mismatch($"its embedding column is {stored} but the options ask for {_table.ColumnType} (Dimensions = {options.Dimensions}, HalfPrecision = {options.HalfPrecision})");
        }

        int? version = null;
        string? distance = null;
        string? config = null;
        await using (var cmd = Command(connection, tx, $"SELECT schema_version, distance, text_search_config FROM {_table.Registry} WHERE table_name = $1", options.Table))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                version = reader.GetInt32(0);
                distance = reader.GetString(1);
                config = reader.GetString(2);
            }
        }

        if (version > PgvectorStoreOptions.SchemaVersion)
        {
            throw Mismatch($"it has layout version {version}, written by a newer Chains.Pgvector (this one knows version {PgvectorStoreOptions.SchemaVersion})");
        }

        // A table without a registry row (created by hand or by an older tool): the vector index's operator class tells the distance.
        distance ??= await ScalarAsync<string?>(
            connection,
            tx,
            """
            SELECT substring(opc.opcname from '^(?:vector|halfvec)_(cosine|l2|ip)_ops$')
            FROM pg_index i JOIN pg_opclass opc ON opc.oid = i.indclass[0]
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = to_regclass($1) AND a.attname = 'embedding'
              AND opc.opcname ~ '^(vector|halfvec)_(cosine|l2|ip)_ops$'
            LIMIT 1
            """,
            cancellationToken,
            _table.Name).ConfigureAwait(false);
        if (distance is not null && !string.Equals(distance, _table.DistanceName, StringComparison.Ordinal))
        {
            throw Mismatch($"it was created for {distance} distance but the options ask for {_table.DistanceName} (Distance = {options.Distance})");
        }

        if (config is not null && !string.Equals(config, options.TextSearchConfig, StringComparison.Ordinal))
        {
            throw Mismatch($"its full-text terms use the '{config}' text-search configuration but the options ask for '{options.TextSearchConfig}'");
        }
    }

    private async Task CreateIndexesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        var options = _table.Options;
        if (options.IndexBuildMemoryMegabytes is { } mb)
        {
            await ExecuteAsync(connection, tx, "SELECT set_config('maintenance_work_mem', $1, true)", cancellationToken, mb.ToString(CultureInfo.InvariantCulture) + "MB").ConfigureAwait(false);
        }

        var index = options.Index;
        if (index.Kind != PgvectorIndexKind.None)
        {
            var (method, suffix, with) = index.Kind == PgvectorIndexKind.Hnsw
                ? ("hnsw", "embedding_hnsw", string.Create(CultureInfo.InvariantCulture, $"m = {index.M}, ef_construction = {index.EfConstruction}"))
                : ("ivfflat", "embedding_ivfflat", string.Create(CultureInfo.InvariantCulture, $"lists = {index.Lists}"));
            var name = _table.IndexName(suffix);
            if (!await IndexExistsAsync(connection, tx, name, cancellationToken).ConfigureAwait(false))
            {
                await ExecuteAsync(connection, tx, $"CREATE INDEX {PgvectorTable.Quote(name)} ON {_table.Name} USING {method} (embedding {_table.OperatorClass}) WITH ({with})", cancellationToken).ConfigureAwait(false);
                LogIndexCreated(_logger, name, _table.DisplayName, index);
            }
        }

        foreach (var (suffix, column) in options.FullTextSearch ? new[] { ("metadata_gin", "metadata"), ("terms_gin", "terms") } : [("metadata_gin", "metadata")])
        {
            var name = _table.IndexName(suffix);
            if (!await IndexExistsAsync(connection, tx, name, cancellationToken).ConfigureAwait(false))
            {
                await ExecuteAsync(connection, tx, $"CREATE INDEX {PgvectorTable.Quote(name)} ON {_table.Name} USING gin ({column})", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task<bool> IndexExistsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string name, CancellationToken cancellationToken)
        => ScalarAsync<bool>(connection, tx, "SELECT to_regclass($1) IS NOT NULL", cancellationToken, _table.Schema + "." + PgvectorTable.Quote(name));

    private async Task CheckTypeMappingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await SendVectorAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidCastException or NotSupportedException or ArgumentException)
        {
            // Another connection (or process) may have created the extension after this data source loaded its type
            // catalogue: reload it once before concluding that UseVector() is missing.
            await connection.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
            await SendVectorWithHintAsync(connection, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendVectorAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = Command(connection, null, "SELECT $1 IS NULL", _table.ToParameter(new float[_table.Options.Dimensions]));
        await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SendVectorWithHintAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await SendVectorAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidCastException or NotSupportedException or ArgumentException)
        {
            throw new InvalidOperationException(
                "The NpgsqlDataSource cannot send pgvector values. Build it with NpgsqlDataSourceBuilder.UseVector() (namespace Npgsql, package Pgvector) before passing it to AsVectorStore.",
                ex);
        }
    }

    private InvalidOperationException Mismatch(string detail)
        => new($"The pgvector table '{_table.DisplayName}' does not match the store options: {detail}. Nothing was changed; use another table name or migrate the data.");

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params object?[] args)
    {
        var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var arg in args)
        {
            cmd.Parameters.Add(arg is string s ? new NpgsqlParameter { Value = s, NpgsqlDbType = NpgsqlDbType.Text } : new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        return cmd;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken, params object?[] args)
    {
        await using var cmd = Command(connection, tx, sql, args);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken, params object?[] args)
    {
        await using var cmd = Command(connection, tx, sql, args);
        var value = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull or null ? default! : (T)value;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created pgvector table {Table} ({ColumnType}, {Distance} distance)")]
    private static partial void LogTableCreated(ILogger logger, string table, string columnType, string distance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created vector index {Index} on {Table}: {Definition}")]
    private static partial void LogIndexCreated(ILogger logger, string index, string table, PgvectorIndex definition);
}
