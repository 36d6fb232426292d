using Chains.Pgvector;

namespace Npgsql;

/// <summary>Creates Chains stores (vectors, chat history, graph checkpoints) on an <see cref="NpgsqlDataSource"/>.</summary>
public static class PgvectorDataSourceExtensions
{
    /// <summary>
    /// Creates a pgvector store on <paramref name="dataSource"/>, which must have been built with
    /// <c>NpgsqlDataSourceBuilder.UseVector()</c>. The options are validated now; the schema is created or checked by
    /// <see cref="PgvectorStore.EnsureSchemaAsync"/> or on first use.
    /// </summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="options">The table, vector and index options.</param>
    /// <param name="ownsDataSource"><see langword="true"/> to dispose <paramref name="dataSource"/> with the store.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static PgvectorStore AsVectorStore(this NpgsqlDataSource dataSource, PgvectorStoreOptions options, bool ownsDataSource = false)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new PgvectorStore(dataSource, options, ownsDataSource);
    }

    /// <summary>
    /// Creates a chat history store on <paramref name="dataSource"/>; its table is created on first use. The data
    /// source stays owned by the caller. The options are validated now.
    /// </summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="options">The table and retention options, or <see langword="null"/> for the defaults (keep everything).</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static PgvectorChatHistoryStore AsChatHistoryStore(this NpgsqlDataSource dataSource, PgvectorChatHistoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        options ??= new PgvectorChatHistoryOptions();
        options.Validate();
        return new PgvectorChatHistoryStore(dataSource, options);
    }

    /// <summary>
    /// Creates a graph checkpoint store on <paramref name="dataSource"/> (for <c>StateGraphOptions.CheckpointStore</c>);
    /// its table is created by <see cref="PgvectorCheckpointStore.EnsureSchemaAsync"/> or on first use. The options are
    /// validated now.
    /// </summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="options">The table and retry options, or <see langword="null"/> for the defaults.</param>
    /// <param name="ownsDataSource"><see langword="true"/> to dispose <paramref name="dataSource"/> with the store.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static PgvectorCheckpointStore AsCheckpointStore(this NpgsqlDataSource dataSource, PgvectorCheckpointOptions? options = null, bool ownsDataSource = false)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        options ??= new PgvectorCheckpointOptions();
        options.Validate();
        return new PgvectorCheckpointStore(dataSource, options, ownsDataSource);
    }
}
