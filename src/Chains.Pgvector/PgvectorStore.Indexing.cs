using System.Globalization;
using Chains.Indexes.Indexing;
using Npgsql;
using NpgsqlTypes;

namespace Chains.Pgvector;

/// <summary>Transactional re-indexing: chunks and index records in one database, changed in one transaction.</summary>
public sealed partial class PgvectorStore : ITransactionalIndexStore
{
    private readonly SemaphoreSlim _recordsLock = new(1, 1);
    private volatile bool _recordsReady;

    /// <summary>
    /// Creates the record manager of this store: an <see cref="IRecordManager"/> over the table
    /// <c>&lt;table&gt;_records</c> next to the store's table. An <see cref="Indexer"/> given this store and this record
    /// manager commits each batch in one transaction (new chunks, stale chunks removed, records written), so a crash at
    /// any point leaves every document either at its old version or at its new one.
    /// </summary>
    /// <returns>The record manager.</returns>
    public IRecordManager CreateRecordManager()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return new PgvectorRecordManager(this);
    }

    /// <inheritdoc />
    public bool SharesTransactionsWith(IRecordManager recordManager)
        => recordManager is PgvectorRecordManager manager && ReferenceEquals(manager.Store, this);

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="changes"/> is or holds <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A chunk's vector has the wrong dimension, or its text holds a NUL character or an
    /// unpaired surrogate (nothing is written).</exception>
    /// <exception cref="PgvectorUnavailableException">PostgreSQL could not be reached; nothing was committed.</exception>
    public Task CommitAsync(IReadOnlyList<IndexChange> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        foreach (var change in changes)
        {
            ArgumentNullException.ThrowIfNull(change, nameof(changes));
        }

        if (changes.Count == 0)
        {
            return Task.CompletedTask;
        }

        var rows = Prepare(changes.SelectMany(c => c.Upserts).ToArray());
        var written = rows.Items.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var stale = changes.SelectMany(c => c.DeletedChunkIds).Where(id => !written.Contains(id)).Distinct(StringComparer.Ordinal).ToArray();
        var records = changes.Where(c => c.Record is not null).Select(c => c.Record!).ToArray();
        var removed = changes.Where(c => c.Record is null).Select(c => c.SourceId).ToArray();
        return RunAsync(
            PgvectorTelemetry.Commit,
            string.Create(CultureInfo.InvariantCulture, $"commit changes to {changes.Count} document(s)"),
            async ct =>
            {
                await EnsureRecordTableAsync(ct).ConfigureAwait(false);
                await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                if (rows.Count > 0)
                {
                    await WriteRowsAsync(connection, tx, rows, ct).ConfigureAwait(false);
                }

                await using var batch = new NpgsqlBatch(connection, tx);
                if (stale.Length > 0)
                {
                    batch.BatchCommands.Add(IdsCommand($"DELETE FROM {_table.Name} WHERE id = ANY($1)", stale));
                }

                foreach (var record in records)
                {
                    batch.BatchCommands.Add(PgvectorRecordManager.UpsertCommand(RecordTable, record));
                }

                if (removed.Length > 0)
                {
                    batch.BatchCommands.Add(IdsCommand($"DELETE FROM {RecordTable} WHERE source_id = ANY($1)", removed));
                }

                if (batch.BatchCommands.Count > 0)
                {
                    await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await tx.CommitAsync(ct).ConfigureAwait(false);
                return rows.Count;
            },
            cancellationToken);
    }

    /// <summary>Gets the quoted name of the record table.</summary>
    internal string RecordTable => _table.Schema + "." + PgvectorTable.Quote(Options.Table + "_records");

    /// <summary>Creates the record table once (after the store's own schema).</summary>
    internal async Task EnsureRecordTableAsync(CancellationToken cancellationToken)
    {
        if (_recordsReady)
        {
            return;
        }

        await _recordsLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_recordsReady)
            {
                // Concurrent CREATE TABLE IF NOT EXISTS can collide; the advisory lock serializes them across processes.
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var cmd = new NpgsqlCommand(
                    "SELECT pg_advisory_xact_lock(7325013950262919); " +
                    $"CREATE TABLE IF NOT EXISTS {RecordTable} (source_id text PRIMARY KEY, content_hash text, chunk_ids text[] NOT NULL, indexed_at timestamptz NOT NULL)",
                    connection,
                    tx);
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                _recordsReady = true;
            }
        }
        finally
        {
            _recordsLock.Release();
        }
    }

    private static NpgsqlBatchCommand IdsCommand(string sql, string[] ids)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        return cmd;
    }
}
