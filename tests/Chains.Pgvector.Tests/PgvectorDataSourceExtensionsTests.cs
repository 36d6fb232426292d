using Npgsql;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="PgvectorDataSourceExtensions.AsVectorStore"/>: validation up front and explicit ownership of the data source.</summary>
public sealed class PgvectorDataSourceExtensionsTests(PostgresServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void AsVectorStore_InvalidOptions_ThrowsBeforeTouchingTheServer()
    {
        using var dataSource = NpgsqlDataSource.Create("Host=invalid.invalid;Database=none");

        var ex = Assert.Throws<ArgumentException>(() => dataSource.AsVectorStore(new PgvectorStoreOptions { Dimensions = 3, Table = "bad name" }));

        Assert.Contains("'bad name'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => dataSource.AsVectorStore(null!));
        Assert.Throws<ArgumentNullException>(() => ((NpgsqlDataSource)null!).AsVectorStore(new PgvectorStoreOptions { Dimensions = 3 }));
    }

    [Fact]
    public async Task AsVectorStore_OwnsDataSource_DisposesItWithTheStore()
    {
        var dataSource = server.CreateDataSource();
        var store = dataSource.AsVectorStore(new PgvectorStoreOptions { Dimensions = 3 }, ownsDataSource: true);

        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await dataSource.OpenConnectionAsync(Ct));
    }

    [Fact]
    public async Task AsVectorStore_DoesNotOwnDataSource_LeavesItUsable()
    {
        await using var dataSource = server.CreateDataSource();
        var store = dataSource.AsVectorStore(new PgvectorStoreOptions { Dimensions = 3 });

        await store.DisposeAsync();

        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        Assert.Equal(1, await new NpgsqlCommand("SELECT 1", connection).ExecuteScalarAsync(Ct));
    }
}
