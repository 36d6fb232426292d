using Chains.Indexes;
using Chains.Indexes.VectorStores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Chains.Pgvector.Tests.TestData;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="PgvectorServiceCollectionExtensions"/>: reusing or building the data source, options from code or
/// configuration validated at registration (errors name the key), keyed stores, TryAdd semantics, and the
/// <see cref="ChainsBuilder"/> overload that replaces the in-process default.</summary>
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

    [Fact]
    public async Task AddPgvectorStore_Configuration_BindsEveryGroupAndUpsertsAndSearchesChineseAndEnglish()
    {
        server.RequireServer();
        var configuration = Configuration(new()
        {
            ["Chains:Pgvector:ConnectionString"] = server.ConnectionString,
            ["Chains:Pgvector:Schema"] = _schema,
            ["Chains:Pgvector:Table"] = "from_config",
            ["Chains:Pgvector:Dimensions"] = "3",
            ["Chains:Pgvector:Distance"] = "cosine",
            ["Chains:Pgvector:Index:Kind"] = "Hnsw",
            ["Chains:Pgvector:Index:M"] = "8",
            ["Chains:Pgvector:Index:EfConstruction"] = "32",
            ["Chains:Pgvector:Query:EfSearch"] = "50",
            ["Chains:Pgvector:Query:IterativeScan"] = "StrictOrder",
            ["Chains:Pgvector:Retry:MaxRetries"] = "1",
            ["Chains:Pgvector:Retry:InitialDelay"] = "00:00:00.050",
            ["Chains:Pgvector:CopyThreshold"] = "2",
        });
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddPgvectorStore(configuration.GetSection("Chains:Pgvector"));
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<PgvectorStore>();
        await store.UpsertAsync(
            [Record("zh", "北京今天下雪了，气温零下五度", [1, 0, 0], ("lang", "zh")), Record("en", "It is snowing in Beijing today", [0.9f, 0.1f, 0], ("lang", "en")), Record("far", "股票市场", [0, 0, 1])],
            Ct);
        var nearest = await provider.GetRequiredService<IVectorStore>().SearchAsync(new float[] { 1, 0, 0 }, new VectorSearchOptions { Top = 2 }, Ct);

        Assert.Equal(["zh", "en"], Ids(nearest));
        Assert.Equal("北京今天下雪了，气温零下五度", nearest[0].Document.Content);
        Assert.Equal((8, 32), (store.Options.Index.M, store.Options.Index.EfConstruction));
        Assert.Equal(50, store.Options.Query.EfSearch);
        Assert.Equal(PgvectorIterativeScan.StrictOrder, store.Options.Query.IterativeScan);
        Assert.Equal((1, TimeSpan.FromMilliseconds(50)), (store.Options.Retry.MaxRetries, store.Options.Retry.InitialDelay));
        Assert.Equal(2, store.Options.CopyThreshold);
        Assert.Same(clock, store.Options.TimeProvider);
    }

    [Fact]
    public async Task AddKeyedPgvectorStore_TwoKeys_KeepTheirRecordsApartAndTheDefaultSlotEmpty()
    {
        server.RequireServer();
        var configuration = Configuration(new()
        {
            ["Stores:Zh:ConnectionString"] = server.ConnectionString,
            ["Stores:Zh:Schema"] = _schema,
            ["Stores:Zh:Table"] = "zh_docs",
            ["Stores:Zh:Dimensions"] = "2",
            ["Stores:Zh:Index:Kind"] = "None",
        });
        var services = new ServiceCollection()
            .AddKeyedPgvectorStore("zh", configuration.GetSection("Stores:Zh"))
            .AddKeyedPgvectorStore("en", new PgvectorStoreOptions { Schema = _schema, Table = "en_docs", Dimensions = 2, Index = PgvectorIndex.IvfFlat(1) }, server.ConnectionString);
        await using var provider = services.BuildServiceProvider();

        var zh = provider.GetRequiredKeyedService<IVectorStore>("zh");
        var en = provider.GetRequiredKeyedService<IVectorStore>("en");
        await zh.UpsertAsync([Record("1", "你好", [1, 0])], Ct);
        await en.UpsertAsync([Record("2", "hello", [1, 0])], Ct);

        Assert.Same(provider.GetRequiredKeyedService<PgvectorStore>("zh"), zh);
        Assert.Equal(["1"], Ids(await zh.SearchAsync(new float[] { 1, 0 }, null, Ct)));
        Assert.Equal(["2"], Ids(await en.SearchAsync(new float[] { 1, 0 }, null, Ct)));
        Assert.Equal(PgvectorIndexKind.None, ((PgvectorStore)zh).Options.Index.Kind);
        Assert.Null(provider.GetService<IVectorStore>());
    }

    [Fact]
    public async Task AddKeyedPgvectorStore_NoConnectionString_PrefersTheDataSourceOfTheSameKey()
    {
        await using var keyed = server.CreateDataSource();
        var services = new ServiceCollection()
            .AddKeyedSingleton("docs", keyed)
            .AddKeyedPgvectorStore("docs", new PgvectorStoreOptions { Schema = _schema, Table = "keyed_source", Dimensions = 2 });
        await using (var provider = services.BuildServiceProvider())
        {
            await provider.GetRequiredKeyedService<IVectorStore>("docs").UpsertAsync([Record("k", "键", [0, 1])], Ct);
        }

        await using var connection = await keyed.OpenConnectionAsync(Ct);
        Assert.Equal(1L, await new NpgsqlCommand($"SELECT count(*) FROM \"{_schema}\".keyed_source", connection).ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task AddPgvectorStore_OnTheChainsBuilder_ReplacesTheInProcessDefault()
    {
        server.RequireServer();
        var throughBuilder = new ServiceCollection();
        throughBuilder.AddChains().AddPgvectorStore(new PgvectorStoreOptions { Schema = _schema, Table = "via_builder", Dimensions = 2 }, server.ConnectionString);
        var onCollection = new ServiceCollection();
        onCollection.AddChains();
        onCollection.AddPgvectorStore(new PgvectorStoreOptions { Schema = _schema, Table = "via_collection", Dimensions = 2 }, server.ConnectionString);
        await using var replaced = throughBuilder.BuildServiceProvider();
        await using var kept = onCollection.BuildServiceProvider();

        var store = replaced.GetRequiredService<IVectorStore>();
        await store.UpsertAsync([Record("b", "经由构建器", [1, 1])], Ct);

        Assert.Same(replaced.GetRequiredService<PgvectorStore>(), store);
        Assert.Single(throughBuilder, d => d.ServiceType == typeof(IVectorStore));
        Assert.Equal(["b"], Ids(await store.SearchAsync(new float[] { 1, 1 }, null, Ct)));
        Assert.IsType<InMemoryVectorStore>(kept.GetRequiredService<IVectorStore>());
    }

    [Theory]
    [InlineData("Dimensions", null, "Configuration value 'Chains:Pgvector:Dimensions' is missing; PgvectorStoreOptions needs it. Set it to the embedding model's output size")]
    [InlineData("Dimensions", "0", "Configuration value 'Chains:Pgvector:Dimensions' is '0', which is invalid: PgvectorStoreOptions.Dimensions 0 is out of range: pgvector stores 1 to 16000 dimensions.")]
    [InlineData("Dimensions", "3000", "Configuration value 'Chains:Pgvector:Dimensions' is '3000', which is invalid: PgvectorStoreOptions.Dimensions 3000 is too large for a Hnsw index on vector (at most 2000). Set HalfPrecision = true")]
    [InlineData("Table", "Docs", "Configuration value 'Chains:Pgvector:Table' is 'Docs', which is invalid: PgvectorStoreOptions.Table 'Docs' is not a valid table name")]
    [InlineData("Distance", "Manhattan", "Configuration value 'Chains:Pgvector:Distance' is 'Manhattan', which is not one of Cosine, L2, InnerProduct.")]
    [InlineData("Index:Kind", "Flat", "Configuration value 'Chains:Pgvector:Index:Kind' is 'Flat', which is not one of None, Hnsw, IvfFlat.")]
    [InlineData("Index:M", "1", "Configuration value 'Chains:Pgvector:Index:M' is '1', which is invalid:")]
    [InlineData("Index:Lists", "10", "Configuration value 'Chains:Pgvector:Index:Lists' is '10', but it does not apply to a Hnsw index")]
    [InlineData("Query:EfSearch", "5000", "Configuration value 'Chains:Pgvector:Query:EfSearch' is '5000', which is invalid: hnsw.ef_search must be between 1 and 1000.")]
    [InlineData("Retry:InitialDelay", "fast", "Configuration value 'Chains:Pgvector:Retry:InitialDelay' is 'fast', which is not a duration in the form hh:mm:ss[.fff]")]
    [InlineData("Dimension", "3", "Configuration key 'Chains:Pgvector:Dimension' is not a PgvectorStoreOptions setting. Did you mean 'Dimensions'?")]
    [InlineData("Query:Probe", "3", "Configuration key 'Chains:Pgvector:Query:Probe' is not a PgvectorQueryOptions setting. Did you mean 'Probes'?")]
    public void AddPgvectorStore_BadConfiguration_FailsAtRegistrationNamingTheKey(string key, string? value, string expected)
    {
        var values = new Dictionary<string, string?> { ["Chains:Pgvector:Dimensions"] = "3", ["Chains:Pgvector:Table"] = "docs" };
        values[$"Chains:Pgvector:{key}"] = value;
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() => services.AddPgvectorStore(Configuration(values).GetSection("Chains:Pgvector")));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal("configuration", ex.ParamName);
        Assert.Empty(services);
    }

    [Fact]
    public void AddPgvectorStore_BadConnectionStringInConfiguration_NamesTheKeyButNeverShowsTheValue()
    {
        var configuration = Configuration(new()
        {
            ["Chains:Pgvector:ConnectionString"] = "Host=db;Password=不要显示;NoSuchKeyword=1",
            ["Chains:Pgvector:Dimensions"] = "3",
        });

        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddKeyedPgvectorStore("k", configuration.GetSection("Chains:Pgvector")));

        Assert.StartsWith("Configuration value 'Chains:Pgvector:ConnectionString' is (value hidden), which is not a valid Npgsql connection string", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("不要显示", ex.Message, StringComparison.Ordinal);
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
