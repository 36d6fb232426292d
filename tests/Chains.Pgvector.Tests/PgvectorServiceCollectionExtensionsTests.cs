using Chains.Indexes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Chains.Pgvector.Tests.TestData;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="PgvectorServiceCollectionExtensions.AddPgvectorStore"/>: reusing or building the data source,
/// options validated at registration, TryAdd semantics.</summary>
public sealed class PgvectorServiceCollectionExtensionsTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string _schema = TestNames.Unique("di");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await server.ScalarAsync($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");

    [Fact]
    public async Task AddPgvectorStore_ConnectionString_BuildsAVectorDataSourceTheContainerOwns()
    {
        server.RequireServer();
        var services = new ServiceCollection().AddPgvectorStore(new PgvectorStoreOptions { Schema = _schema, Table = "owned", Dimensions = 2 }, server.ConnectionString);
        PgvectorStore store;
        await using (var provider = services.BuildServiceProvider())
        {
            store = provider.GetRequiredService<PgvectorStore>();
            Assert.Same(store, provider.GetRequiredService<IVectorStore>());
            await store.UpsertAsync([Record("a", "x", [1, 0])], Ct);
            Assert.Equal(["a"], Ids(await store.SearchAsync(new float[] { 1, 0 }, null, Ct)));
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.SearchAsync(new float[] { 1, 0 }, null, Ct));
    }

    [Fact]
    public async Task AddPgvectorStore_RegisteredDataSource_ReusesItWithoutDisposingIt()
    {
        await using var dataSource = server.CreateDataSource();
        var services = new ServiceCollection()
            .AddSingleton(dataSource)
            .AddPgvectorStore(new PgvectorStoreOptions { Schema = _schema, Table = "shared", Dimensions = 2 }, lifetime: ServiceLifetime.Scoped);
        await using (var provider = services.BuildServiceProvider())
        {
            await using var scope = provider.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<IVectorStore>();
            await store.UpsertAsync([Record("b", "x", [0, 1])], Ct);
        }

        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        Assert.Equal(1L, await new NpgsqlCommand($"SELECT count(*) FROM \"{_schema}\".shared", connection).ExecuteScalarAsync(Ct));
    }

    [Fact]
    public void AddPgvectorStore_InvalidOptionsOrConnectionString_ThrowsAtRegistration()
    {
        var services = new ServiceCollection();

        var options = Assert.Throws<ArgumentException>(() => services.AddPgvectorStore(new PgvectorStoreOptions { Dimensions = 0 }));
        var connection = Assert.Throws<ArgumentException>(() => services.AddPgvectorStore(new PgvectorStoreOptions { Dimensions = 3 }, "Host=x;NoSuchKeyword=1"));

        Assert.Contains("PgvectorStoreOptions.Dimensions", options.Message, StringComparison.Ordinal);
        Assert.Equal("connectionString", connection.ParamName);
        Assert.Empty(services);
    }

    [Fact]
    public void AddPgvectorStore_NoDataSourceRegistered_ResolvingExplainsWhatIsMissing()
    {
        using var provider = new ServiceCollection().AddPgvectorStore(new PgvectorStoreOptions { Dimensions = 3 }).BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(provider.GetRequiredService<IVectorStore>);

        Assert.Contains("NpgsqlDataSource", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPgvectorStore_CalledTwice_KeepsTheFirstRegistration()
    {
        var services = new ServiceCollection()
            .AddPgvectorStore(new PgvectorStoreOptions { Dimensions = 3, Table = "first" }, "Host=localhost")
            .AddPgvectorStore(new PgvectorStoreOptions { Dimensions = 3, Table = "second" }, "Host=localhost");
        using var provider = services.BuildServiceProvider();

        Assert.Equal("first", provider.GetRequiredService<PgvectorStore>().Options.Table);
        Assert.Single(services, d => d.ServiceType == typeof(IVectorStore));
    }
}
