using System.Text;
using System.Text.Json;
using Chains.LLamaSharp.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Chains.LLamaSharp.Tests;

/// <summary><see cref="LlamaServiceCollectionExtensions"/> on the generated tiny GGUF: chat and embeddings resolved from
/// JSON settings answer through llama.cpp, one lazily loaded model per key that the container disposes, and bad settings
/// fail at registration with the full key path.</summary>
public sealed class LlamaServiceCollectionExtensionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chains-llama-di-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AddLlamaChatClient_JsonSettings_AnswersInChineseWithTheContainersLoggerAndClock()
    {
        var configuration = Json(new
        {
            Chains = new
            {
                Models = new
                {
                    Local = new
                    {
                        Path = TinyModel.DefaultPath,
                        ContextSize = 256,
                        MaxConcurrentRequests = 1,
                        GpuLayers = "none",
                        Threads = 1,
                        BatchSize = 64,
                        Seed = 7,
                        Chat = new { DefaultMaxOutputTokens = 6, Temperature = 0 },
                    },
                },
            },
        });
        var logs = new FakeLogCollector();
        var clock = new FixedClock(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(new CollectingLoggerFactory(logs))
            .AddSingleton<TimeProvider>(clock);
        services.AddLlamaChatClient(configuration.GetSection("Chains:Models:Local"));
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IChatClient>();
        var free = await client.GetResponseAsync("你好，请介绍一下你自己。", cancellationToken: Ct);
        var forced = await client.GetResponseAsync("用中文打个招呼", new ChatOptions { MaxOutputTokens = 64 }.WithGrammar(GbnfGrammar.Parse("root ::= \"你好，世界！\"")), Ct);

        var model = provider.GetRequiredService<LlamaModel>();
        Assert.Same(model, client.GetService<LlamaModel>());
        Assert.Equal(256, model.ContextSize);
        Assert.Equal(1, model.Options.Threads);
        Assert.Equal(GpuLayers.None, model.Options.GpuLayers);
        Assert.Equal("tiny-test-llama", free.ModelId);
        Assert.InRange(free.Usage!.OutputTokenCount!.Value, 1, 6);
        Assert.Equal("你好，世界！", forced.Text);
        Assert.Equal(clock.Now, forced.CreatedAt);
        Assert.Contains(logs.GetSnapshot(), r => r.Category == typeof(LlamaModel).FullName && r.Message.Contains("tiny-test-llama", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddLlamaChatClient_Registration_LoadsNothingUntilResolvedAndTheContainerDisposesTheModel()
    {
        var path = Path.Combine(_directory, "lazy.gguf");
        File.Copy(TinyModel.DefaultPath, path);
        var services = new ServiceCollection();
        services.AddLlamaChatClient(Section(path));
        var provider = services.BuildServiceProvider();

        File.Move(path, path + ".away");
        var missing = Assert.Throws<FileNotFoundException>(provider.GetRequiredService<IChatClient>);
        File.Move(path + ".away", path);
        var client = provider.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 2 }, Ct);
        var model = provider.GetRequiredService<LlamaModel>();
        await provider.DisposeAsync();

        Assert.Equal(path, missing.FileName);
        Assert.NotEmpty(response.Messages);
        Assert.Throws<ObjectDisposedException>(() => model.AsChatClient());
    }

    [Fact]
    public async Task AddKeyedLlamaChatClient_TwoKeys_LoadTwoModelsAndEmbeddingsShareTheirKeysModel()
    {
        var configuration = Json(new
        {
            Models = new
            {
                Small = new { Path = TinyModel.DefaultPath, ContextSize = 128, MaxConcurrentRequests = 1, Threads = 1, BatchSize = 64, Embeddings = new { Pooling = "Mean", MaxBatchInputs = 2 } },
                Large = new { Path = TinyModel.DefaultPath, ContextSize = 512, MaxConcurrentRequests = 1, Threads = 1, BatchSize = 64 },
            },
        });
        var services = new ServiceCollection();
        services.AddKeyedLlamaChatClient("small", configuration.GetSection("Models:Small"));
        services.AddKeyedLlamaChatClient("large", configuration.GetSection("Models:Large"));
        services.AddKeyedLlamaEmbeddings("small", configuration.GetSection("Models:Small"));
        await using var provider = services.BuildServiceProvider();

        var small = provider.GetRequiredKeyedService<IChatClient>("small");
        var large = provider.GetRequiredKeyedService<IChatClient>("large");
        var embeddings = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("small");
        var answers = await Task.WhenAll(
            small.GetResponseAsync("天气怎么样？", new ChatOptions { MaxOutputTokens = 3, Seed = 1 }, Ct),
            large.GetResponseAsync("How is the weather?", new ChatOptions { MaxOutputTokens = 3, Seed = 1 }, Ct));
        var vectors = await embeddings.GenerateAsync(["今天天气很好", "The weather is nice today"], cancellationToken: Ct);

        Assert.NotSame(small.GetService<LlamaModel>(), large.GetService<LlamaModel>());
        Assert.Same(provider.GetRequiredKeyedService<LlamaModel>("small"), small.GetService<LlamaModel>());
        Assert.Same(small.GetService<LlamaModel>(), embeddings.GetService<LlamaModel>());
        Assert.Equal(128, small.GetService<LlamaModel>()!.ContextSize);
        Assert.Equal(512, large.GetService<LlamaModel>()!.ContextSize);
        Assert.Null(provider.GetService<IChatClient>());
        Assert.Null(provider.GetService<LlamaModel>());
        Assert.All(answers, a => Assert.Equal("tiny-test-llama", a.ModelId));
        Assert.Equal(2, vectors.Count);
        Assert.All(vectors, v => Assert.Equal(64, v.Vector.Length));
        Assert.NotEqual(vectors[0].Vector.ToArray(), vectors[1].Vector.ToArray());
    }

    [Fact]
    public async Task AddLlamaEmbeddings_InCode_SharesTheModelWithTheChatClientOfTheSameOptions()
    {
        var options = TestModels.Options(contextSize: 128, sequences: 1);
        var services = new ServiceCollection();
        services.AddLlamaChatClient(TinyModel.DefaultPath, options, new LlamaChatClientOptions { DefaultMaxOutputTokens = 2 });
        services.AddLlamaEmbeddings(TinyModel.DefaultPath, options, new LlamaEmbeddingOptions { Normalize = true });
        await using var provider = services.BuildServiceProvider();

        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var vector = await generator.GenerateAsync("中文和 English 混合的句子", cancellationToken: Ct);
        var reply = await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi", cancellationToken: Ct);

        Assert.Same(generator.GetService<LlamaModel>(), provider.GetRequiredService<IChatClient>().GetService<LlamaModel>());
        Assert.Single(services, d => d.ServiceType == typeof(LlamaModel));
        Assert.Equal(1.0, Math.Sqrt(vector.Vector.ToArray().Sum(x => (double)x * x)), 3);
        Assert.InRange(reply.Usage!.OutputTokenCount!.Value, 1, 2);
    }

    [Fact]
    public void AddKeyedLlamaChatClient_ADifferentModelUnderAUsedKey_ThrowsNamingBoth()
    {
        var services = new ServiceCollection();
        services.AddKeyedLlamaChatClient("local", TinyModel.DefaultPath, TestModels.Options());

        var ex = Assert.Throws<ArgumentException>(() => services.AddKeyedLlamaEmbeddings("local", Section(TinyModel.DefaultPath)));

        Assert.Contains("already registered under the service key 'local'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("configuration section 'Chains:Models:Local'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("under another key", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("all")]
    [InlineData("ALL")]
    [InlineData("none")]
    [InlineData("12")]
    [InlineData("auto:6GiB")]
    [InlineData("auto: 512 MiB")]
    [InlineData("auto:2000000000")]
    public void AddLlamaChatClient_GpuLayersText_BindsToTheStruct(string text)
    {
        var expected = text.ToUpperInvariant() switch
        {
            "ALL" => GpuLayers.All,
            "NONE" => GpuLayers.None,
            "12" => GpuLayers.Count(12),
            "AUTO:6GIB" => GpuLayers.Auto(6L << 30),
            "AUTO: 512 MIB" => GpuLayers.Auto(512L << 20),
            _ => GpuLayers.Auto(2_000_000_000),
        };
        var services = new ServiceCollection();
        services.AddLlamaChatClient(Section(TinyModel.DefaultPath, ("GpuLayers", text)));
        using var provider = services.BuildServiceProvider();

        Assert.Equal(expected, provider.GetRequiredService<LlamaModel>().Options.GpuLayers);
    }

    [Theory]
    [InlineData("ContextSize", "四千", "Configuration value 'Chains:Models:Local:ContextSize' is '四千', which is not a whole number")]
    [InlineData("ContextSize", "8", "Configuration value 'Chains:Models:Local:ContextSize' is '8', which is invalid: LlamaModelOptions.ContextSize must be at least 16 (was 8).")]
    [InlineData("ContextSize", "8192", "Configuration value 'Chains:Models:Local:ContextSize' is '8192', which is invalid: LlamaModelOptions.ContextSize 8192 exceeds the 2048-token context")]
    [InlineData("MicroBatchSize", "1024", "Configuration value 'Chains:Models:Local:MicroBatchSize' is '1024', which is invalid: LlamaModelOptions.MicroBatchSize must be between 1 and BatchSize 512")]
    [InlineData("GpuLayers", "auto", "Configuration value 'Chains:Models:Local:GpuLayers' is 'auto', which is not 'none', 'all', a layer count such as 12, or 'auto:' with a VRAM budget such as 'auto:6GiB'.")]
    [InlineData("GpuLayers", "-1", "Configuration value 'Chains:Models:Local:GpuLayers' is '-1', which is not 'none'")]
    [InlineData("SplitMode", "Rows", "Configuration value 'Chains:Models:Local:SplitMode' is 'Rows', which is not one of None, Layer, Row, Tensor.")]
    [InlineData("TensorSplit:0", "-1", "Configuration section 'Chains:Models:Local:TensorSplit' holds invalid LlamaModelOptions: LlamaModelOptions.TensorSplit must hold one finite non-negative proportion per GPU")]
    [InlineData("ContextSzie", "512", "Configuration key 'Chains:Models:Local:ContextSzie' is not a LlamaModelOptions setting. Did you mean 'ContextSize'?")]
    [InlineData("Chat:Temprature", "0.2", "Configuration key 'Chains:Models:Local:Chat:Temprature' is not a LlamaChatClientOptions setting. Did you mean 'Temperature'?")]
    [InlineData("Chat:DefaultMaxOutputTokens", "0", "Configuration value 'Chains:Models:Local:Chat:DefaultMaxOutputTokens' is '0', which is invalid: LlamaChatClientOptions.DefaultMaxOutputTokens must be at least 1.")]
    [InlineData("Chat:TopP", "1.5", "Configuration section 'Chains:Models:Local:Chat' holds invalid LlamaChatClientOptions: LlamaChatClientOptions has an out-of-range sampling value (Temperature 0.8, TopK 40, TopP 1.5")]
    [InlineData("Embeddings:Pooling", "Max", "Configuration value 'Chains:Models:Local:Embeddings:Pooling' is 'Max', which is not one of Model, Mean, Cls, Last.")]
    [InlineData("Embeddings:MaxBatchInputs", "1000", "Configuration value 'Chains:Models:Local:Embeddings:MaxBatchInputs' is '1000', which is invalid: LlamaEmbeddingOptions.MaxBatchInputs must be between 1 and 256.")]
    public void AddLlamaChatClient_BadSetting_FailsAtRegistrationNamingTheKeyPath(string key, string value, string expected)
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() => services.AddLlamaChatClient(Section(TinyModel.DefaultPath, (key, value))));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal("configuration", ex.ParamName);
        Assert.Empty(services);
    }

    [Fact]
    public void AddLlamaChatClient_MissingPath_SaysWhichKeyToSetUnlessItIsMisspelt()
    {
        var missing = new ConfigurationBuilder().AddInMemoryCollection([new("Chains:Models:Local:ContextSize", "512")]).Build();
        var misspelt = new ConfigurationBuilder().AddInMemoryCollection([new("Chains:Models:Local:Pth", TinyModel.DefaultPath)]).Build();

        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddLlamaChatClient(missing.GetSection("Chains:Models:Local")));
        var typo = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddLlamaChatClient(misspelt.GetSection("Chains:Models:Local")));

        Assert.StartsWith("Configuration value 'Chains:Models:Local:Path' is missing; LlamaModelOptions needs it. Set it to the GGUF model file", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("Configuration key 'Chains:Models:Local:Pth' is not a LlamaModelOptions setting. Did you mean 'Path'?", typo.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddLlamaChatClient_FileProblems_FailAtRegistrationNamingTheKeyAndFile()
    {
        var notGguf = Path.Combine(_directory, "模型.bin");
        File.WriteAllText(notGguf, "not a model");
        var missingModel = Path.Combine(_directory, "缺失.gguf");
        var missingAdapter = Path.Combine(_directory, "adapter.gguf");

        var model = Assert.Throws<FileNotFoundException>(() => new ServiceCollection().AddLlamaChatClient(Section(missingModel)));
        var format = Assert.Throws<GgufFormatException>(() => new ServiceCollection().AddLlamaChatClient(Section(notGguf)));
        var adapter = Assert.Throws<FileNotFoundException>(() => new ServiceCollection().AddLlamaChatClient(Section(TinyModel.DefaultPath, ("LoraAdapters:0:Path", missingAdapter), ("LoraAdapters:0:Scale", "0.5"))));
        var inCode = Assert.Throws<FileNotFoundException>(() => new ServiceCollection().AddLlamaChatClient(missingModel));

        Assert.Contains($"'{missingModel}' set at 'Chains:Models:Local:Path' does not exist", model.Message, StringComparison.Ordinal);
        Assert.Contains("set at 'Chains:Models:Local:Path' is not a GGUF file", format.Message, StringComparison.Ordinal);
        Assert.Contains($"'{missingAdapter}' set at 'Chains:Models:Local:LoraAdapters:0:Path' does not exist", adapter.Message, StringComparison.Ordinal);
        Assert.Equal(missingModel, inCode.FileName);
    }

    [Fact]
    public void AddLlamaChatClient_InvalidOptionsInCode_ThrowsBeforeRegistering()
    {
        var services = new ServiceCollection();

        var model = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddLlamaChatClient(TinyModel.DefaultPath, new LlamaModelOptions { ContextSize = 4096 }));
        var chat = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddKeyedLlamaChatClient("k", TinyModel.DefaultPath, chatOptions: new LlamaChatClientOptions { DefaultMaxOutputTokens = 0 }));

        Assert.Contains("exceeds the 2048-token context", model.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(LlamaChatClientOptions.DefaultMaxOutputTokens), chat.ParamName);
        Assert.Empty(services);
    }

    private static IConfigurationSection Section(string path, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Chains:Models:Local:Path"] = path,
            ["Chains:Models:Local:ContextSize"] = "256",
            ["Chains:Models:Local:MaxConcurrentRequests"] = "1",
            ["Chains:Models:Local:Threads"] = "1",
        };
        foreach (var (key, value) in settings)
        {
            values[$"Chains:Models:Local:{key}"] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Chains:Models:Local");
    }

    private static IConfigurationRoot Json(object settings)
        => new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(settings)))).Build();

    /// <summary>A clock that always reads the same instant.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now => now;

        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>A logger factory whose loggers all write to one collector.</summary>
    private sealed class CollectingLoggerFactory(FakeLogCollector collector) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new FakeLogger(collector, categoryName);

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }
}
