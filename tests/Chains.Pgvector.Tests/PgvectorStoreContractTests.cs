using Chains.Indexes;
using Chains.Testing.VectorStores;
using Npgsql;

namespace Chains.Pgvector.Tests;

/// <summary>The <see cref="IVectorStore"/> contract suite against <see cref="PgvectorStore"/> on a real server, each
/// store in its own table (HNSW index, relaxed iterative scan, the defaults) inside a schema owned by this class.</summary>
public sealed class PgvectorStoreContractTests(PostgresServer server) : VectorStoreContractTests
{
    private readonly string _schema = TestNames.Unique("contract");
    private NpgsqlDataSource? _dataSource;
    private int _tables;

    public override ValueTask InitializeAsync()
    {
        _dataSource = server.CreateDataSource();
        return base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_dataSource is not null)
        {
            await using (var cmd = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
            {
                await cmd.ExecuteNonQueryAsync();
            }

            await _dataSource.DisposeAsync();
        }
    }

    protected override async Task<IVectorStore> CreateStoreAsync(int dimension)
    {
        var store = _dataSource!.AsVectorStore(new PgvectorStoreOptions
        {
            Schema = _schema,
            Table = $"store_{Interlocked.Increment(ref _tables)}",
            Dimensions = dimension,
        });
        await store.EnsureSchemaAsync(Ct);
        return store;
    }
}
