using System.Text;
using System.Text.Json;
using Chains.Agents.Graph;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Chains.Indexes.VectorStores;
using Chains.Memory;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chains.Tests.DependencyInjection;

/// <summary><see cref="ChainsServiceCollectionExtensions.AddChains(IServiceCollection, Action{ChainsOptions}?)"/>:
/// in-process defaults, file stores from JSON settings, TryAdd, and start-up errors that name the key.</summary>
public sealed class ChainsServiceCollectionExtensionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chains-di-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AddChains_NoOptions_RegistersInMemorySingletonsAndTheSystemClock()
    {
        var services = new ServiceCollection();
        var builder = services.AddChains();
        await using var provider = services.BuildServiceProvider();

        Assert.Same(services, builder.Services);
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        var history = Assert.IsType<InMemoryChatHistoryStore>(provider.GetRequiredService<IChatHistoryStore>());
        Assert.Same(history, provider.GetRequiredService<IChatHistoryStore>());
        Assert.IsType<InMemoryCheckpointStore>(provider.GetRequiredService<ICheckpointStore>());
        Assert.IsType<InMemoryRecordManager>(provider.GetRequiredService<IRecordManager>());
        var vectors = Assert.IsType<InMemoryVectorStore>(provider.GetRequiredService<IVectorStore>());
        Assert.Equal(VectorDistance.Cosine, vectors.Distance);

        await history.AppendAsync("会话-1", [new ChatMessage(ChatRole.User, "你好，世界")], Ct);
        await vectors.UpsertAsync([new VectorRecord(new Document("d1", "猫坐在垫子上"), new float[] { 1, 0 })], Ct);

        Assert.Equal("你好，世界", Assert.Single(await provider.GetRequiredService<IChatHistoryStore>().LoadAsync("会话-1", Ct)).Text);
        Assert.Equal("d1", Assert.Single(await provider.GetRequiredService<IVectorStore>().SearchAsync(new float[] { 1, 0 }, null, Ct)).Document.Id);
    }

    [Fact]
    public async Task AddChains_JsonSettings_FileStoresKeepTheirDataAcrossContainers()
    {
        var configuration = Json(new
        {
            Chains = new
            {
                ChatHistoryDirectory = Path.Combine(_directory, "history"),
                CheckpointDirectory = Path.Combine(_directory, "checkpoints"),
                RecordManagerPath = Path.Combine(_directory, "records.jsonl"),
                VectorDimension = 2,
                VectorDistance = "dotproduct",
                Models = new { Local = new { Path = "left to the back end" } },
            },
        });

        await using (var first = new ServiceCollection().AddChains(configuration.GetSection("Chains")).Services.BuildServiceProvider())
        {
            await first.GetRequiredService<IChatHistoryStore>().AppendAsync("用户:42", [new ChatMessage(ChatRole.User, "明天北京天气怎么样？")], Ct);
            await first.GetRequiredService<ICheckpointStore>().SaveAsync(
                new GraphCheckpoint { ThreadId = "线程", Step = 1, State = JsonDocument.Parse("{\"问题\":\"天气\"}").RootElement },
                CheckpointRetention.All,
                Ct);
            await first.GetRequiredService<IRecordManager>().UpsertAsync([new IndexRecord("doc.md", "hash-1", ["doc.md#0"], DateTimeOffset.UnixEpoch)], Ct);
            var vectors = Assert.IsType<InMemoryVectorStore>(first.GetRequiredService<IVectorStore>());
            Assert.Equal(VectorDistance.DotProduct, vectors.Distance);
            Assert.Equal(2, vectors.Dimension);
            await Assert.ThrowsAsync<ArgumentException>(() => vectors.UpsertAsync([new VectorRecord(new Document("x", "x"), new float[] { 1, 2, 3 })], Ct));
        }

        await using var second = new ServiceCollection().AddChains(configuration.GetSection("Chains")).Services.BuildServiceProvider();
        var history = Assert.IsType<FileChatHistoryStore>(second.GetRequiredService<IChatHistoryStore>());
        Assert.Equal(Path.Combine(_directory, "history"), history.Directory);
        Assert.Equal("明天北京天气怎么样？", Assert.Single(await history.LoadAsync("用户:42", Ct)).Text);
        var checkpoint = await second.GetRequiredService<ICheckpointStore>().GetAsync("线程", cancellationToken: Ct);
        Assert.Equal("天气", checkpoint!.State.GetProperty("问题").GetString());
        Assert.Equal("hash-1", Assert.Single(await second.GetRequiredService<IRecordManager>().GetAsync(["doc.md"], Ct)).ContentHash);
    }

    [Fact]
    public async Task AddChains_EarlierRegistration_WinsOverTheDefault()
    {
        var mine = new FileChatHistoryStore(_directory);
        var services = new ServiceCollection().AddSingleton<IChatHistoryStore>(mine);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        services.AddSingleton<TimeProvider>(clock);

        services.AddChains(o => o.VectorDimension = 3).Services.AddChains();
        await using var provider = services.BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<IChatHistoryStore>());
        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
        Assert.Single(services, d => d.ServiceType == typeof(IVectorStore));
        Assert.Equal(3, Assert.IsType<InMemoryVectorStore>(provider.GetRequiredService<IVectorStore>()).Dimension);
    }

    [Fact]
    public void AddChains_ChangingTheOptionsAfterRegistration_DoesNotReachTheStores()
    {
        var services = new ServiceCollection();
        ChainsOptions? captured = null;
        services.AddChains(o =>
        {
            o.VectorDimension = 4;
            captured = o;
        });
        captured!.VectorDimension = 9;

        using var provider = services.BuildServiceProvider();

        Assert.Equal(4, Assert.IsType<InMemoryVectorStore>(provider.GetRequiredService<IVectorStore>()).Dimension);
    }

    [Fact]
    public void AddChains_InvalidOptionInCode_ThrowsNamingItBeforeRegisteringAnything()
    {
        var services = new ServiceCollection();

        var blank = Assert.Throws<ArgumentException>(() => services.AddChains(o => o.ChatHistoryDirectory = "  "));
        var dimension = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddChains(o => o.VectorDimension = 0));
        var distance = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddChains(o => o.VectorDistance = (VectorDistance)42));

        Assert.Equal(nameof(ChainsOptions.ChatHistoryDirectory), blank.ParamName);
        Assert.Contains("ChainsOptions.VectorDimension must be at least 1", dimension.Message, StringComparison.Ordinal);
        Assert.Contains("Cosine, DotProduct or Euclidean", distance.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    [Theory]
    [InlineData("VectorDimension", "三", "Configuration value 'Chains:VectorDimension' is '三', which is not a whole number")]
    [InlineData("VectorDimension", "0", "Configuration value 'Chains:VectorDimension' is '0', which is invalid: ChainsOptions.VectorDimension must be at least 1")]
    [InlineData("VectorDistance", "Cosin", "Configuration value 'Chains:VectorDistance' is 'Cosin', which is not one of Cosine, DotProduct, Euclidean")]
    [InlineData("VectorDistance", "1", "Configuration value 'Chains:VectorDistance' is '1', which is not one of Cosine, DotProduct, Euclidean")]
    [InlineData("ChatHistoryDirectry", "data", "Configuration key 'Chains:ChatHistoryDirectry' is not a ChainsOptions setting. Did you mean 'ChatHistoryDirectory'?")]
    public void AddChains_BadConfiguration_FailsAtRegistrationNamingTheKeyAndValue(string key, string value, string expected)
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new($"Chains:{key}", value)]).Build();

        var ex = Assert.Throws<ArgumentException>(() => services.AddChains(configuration.GetSection("Chains")));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal("configuration", ex.ParamName);
        Assert.Empty(services);
    }

    [Fact]
    public void AddChains_MissingSection_SaysWhichSectionAndHowToUseTheDefaults()
    {
        var configuration = Json(new { Chains = new { VectorDimension = 384 } });

        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddChains(configuration.GetSection("Chainz")));

        Assert.Contains("Configuration section 'Chainz' is missing or empty", ex.Message, StringComparison.Ordinal);
        Assert.Contains("without a configuration section to use the defaults", ex.Message, StringComparison.Ordinal);
    }

    private static IConfigurationRoot Json(object settings)
        => new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(settings)))).Build();
}
