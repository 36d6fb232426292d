using System.Globalization;
using System.Runtime.CompilerServices;
using Chains.Indexes.Indexing;
using Npgsql;
using NpgsqlTypes;

namespace Chains.Pgvector;

/// <summary>An <see cref="IRecordManager"/> in the table <c>&lt;store table&gt;_records</c>, sharing the store's
/// connections, retries and (through <see cref="PgvectorStore.CommitAsync"/>) its transactions.</summary>
internal sealed class PgvectorRecordManager : IRecordManager
{
    /// <summary>Initializes the record manager.</summary>
    /// <param name="store">The store whose database holds the records.</param>
    public PgvectorRecordManager(PgvectorStore store) => Store = store;

    /// <summary>Gets the store.</summary>
    public PgvectorStore Store { get; }

    /// <inheritdoc />
    public Task<IReadOnlyList<IndexRecord>> GetAsync(IReadOnlyList<string> sourceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourceIds);
        var ids = sourceIds.Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0)
        {
            return Task.FromResult<IReadOnlyList<IndexRecord>>([]);
        }

        return Store.RunOnRecordsAsync(
            PgvectorTelemetry.Select,
            "read index records",
            async ct =>
            {
                await Store.EnsureRecordTableAsync(ct).ConfigureAwait(false);
                await using var cmd = Store.DataSource.CreateCommand($"SELECT source_id, content_hash, chunk_ids, indexed_at FROM {Store.RecordTable} WHERE source_id = ANY($1)");
                cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                var records = new List<IndexRecord>(ids.Length);
                await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    records.Add(Read(reader));
                }

                return (IReadOnlyList<IndexRecord>)records;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<IndexRecord> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Read in pages by key, each page retried on its own, so a long listing survives a dropped connection.
        string? after = null;
        while (true)
        {
            var key = after;
            var page = await Store.RunOnRecordsAsync(
                PgvectorTelemetry.Select,
                "list index records",
                async ct =>
                {
                    await Store.EnsureRecordTableAsync(ct).ConfigureAwait(false);
                    await using var cmd = Store.DataSource.CreateCommand(
                        $"SELECT source_id, content_hash, chunk_ids, indexed_at FROM {Store.RecordTable} WHERE $1::text IS NULL OR source_id COLLATE \"C\" > $1 ORDER BY source_id COLLATE \"C\" LIMIT 1000");
                    cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)key ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                    var records = new List<IndexRecord>(1000);
                    await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        records.Add(Read(reader));
                    }

                    return records;
                },
                cancellationToken).ConfigureAwait(false);
            foreach (var record in page)
            {
                yield return record;
            }

            if (page.Count < 1000)
            {
                yield break;
            }

            after = page[^1].SourceId;
        }
    }

    /// <inheritdoc />
    public Task UpsertAsync(IReadOnlyList<IndexRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(records));
        }

        if (records.Count == 0)
        {
            return Task.CompletedTask;
        }

        return Store.RunOnRecordsAsync(
            PgvectorTelemetry.Upsert,
            string.Create(CultureInfo.InvariantCulture, $"write {records.Count} index record(s)"),
            async ct =>
            {
                await Store.EnsureRecordTableAsync(ct).ConfigureAwait(false);
                await using var connection = await Store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using var batch = new NpgsqlBatch(connection, tx);
                foreach (var record in records)
                {
                    batch.BatchCommands.Add(UpsertCommand(Store.RecordTable, record));
                }

                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteAsync(IReadOnlyList<string> sourceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourceIds);
        if (sourceIds.Count == 0)
        {
            return Task.CompletedTask;
        }

        var ids = sourceIds.Distinct(StringComparer.Ordinal).ToArray();
        return Store.RunOnRecordsAsync(
            PgvectorTelemetry.Delete,
            "delete index records",
            async ct =>
            {
                await Store.EnsureRecordTableAsync(ct).ConfigureAwait(false);
                await using var cmd = Store.DataSource.CreateCommand($"DELETE FROM {Store.RecordTable} WHERE source_id = ANY($1)");
                cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <summary>Builds the upsert of one record.</summary>
    /// <param name="table">The quoted record table.</param>
    /// <param name="record">The record.</param>
    /// <returns>The command.</returns>
    internal static NpgsqlBatchCommand UpsertCommand(string table, IndexRecord record)
    {
        var cmd = new NpgsqlBatchCommand(
            $"INSERT INTO {table} (source_id, content_hash, chunk_ids, indexed_at) VALUES ($1, $2, $3, $4) " +
            "ON CONFLICT (source_id) DO UPDATE SET content_hash = EXCLUDED.content_hash, chunk_ids = EXCLUDED.chunk_ids, indexed_at = EXCLUDED.indexed_at");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = record.SourceId, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)record.ContentHash ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. record.ChunkIds], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = record.IndexedAt.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return cmd;
    }

    private static IndexRecord Read(NpgsqlDataReader reader)
        => new(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.GetFieldValue<DateTimeOffset>(3));
}
