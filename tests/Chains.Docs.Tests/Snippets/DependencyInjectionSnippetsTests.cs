using System.Text;
using Chains.Agents.Graph;
using Chains.Docs.Snippets;
using Chains.Docs.Tests.Pages;
using Chains.Docs.Tests.Support;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Chains.LLamaSharp;
using Chains.LLamaSharp.Tests.Support;
using Chains.Memory;
using Chains.Pgvector;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chains.Docs.Tests.Snippets;

/// <summary>
/// Runs docs/dependency-injection.md against the page's own appsettings.json (read from the page's json block) in an
/// app folder that holds the models it names (tiny generated GGUF files under the page's file names). The folder is
/// the current directory while a test runs, so these tests run alone.
/// </summary>
[Collection(CurrentDirectoryCollection.Name)]
public sealed class DependencyInjectionSnippetsTests : IClassFixture<PostgresDatabase>, IDisposable
{
    private const string LocalModel = "models/qwen2.5-7b-instruct-q4_k_m.gguf";
    private const string SmallModel = "models/qwen2.5-0.5b-instruct-q4_k_m.gguf";
    private const string PagePath = "docs/dependency-injection.md";

    /// <summary>One llama.cpp thread per model and one ONNX thread, as every test here runs (two shared cores):
    /// set the way the page says settings are overridden, through environment variables.</summary>
    private static readonly (string Name, string Value)[] TestThreads =
    [
        ("Chains__Models__Local__Threads", "1"),
        ("Chains__Models__Small__Threads", "1"),
        ("Chains__Embeddings__IntraOpNumThreads", "1"),
    ];

    private readonly PostgresDatabase _postgres;
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("chains-docs-di-");
    private readonly string _previousDirectory = Environment.CurrentDirectory;
    private readonly string _app;

    public DependencyInjectionSnippetsTests(PostgresDatabase postgres)
    {
        _postgres = postgres;
        _app = Directory.CreateDirectory(Path.Combine(_root.FullName, "app")).FullName;
        Directory.CreateDirectory(Path.Combine(_app, "models"));
        TinyLlama.WriteLongContext(Path.Combine(_app, LocalModel));
        TinyLlama.WriteLongContext(Path.Combine(_app, SmallModel));
        File.Copy(TinyModel.DefaultPath, Path.Combine(_app, "models", "tiny.gguf"));
        File.WriteAllText(Path.Combine(_app, "appsettings.json"), PageAppSettings());
        Environment.CurrentDirectory = _app;
    }

    public void Dispose()
    {
        Environment.CurrentDirectory = _previousDirectory;
        _root.Delete(recursive: true);
    }

    [Fact]
    public async Task Register_FromThePagesAppSettings_ResolvesEveryServiceWithItsSettings()
    {
        using var env = new EnvironmentOverride(TestThreads);

        await DependencyInjectionSnippets.RegisterFromConfigurationAsync(async (provider, chat, router, embeddings) =>
        {
            var ct = TestContext.Current.CancellationToken;

            // Models:Local, behind M.E.AI's function invocation.
            var local = provider.GetRequiredService<LlamaModel>();
            Assert.Equal(Path.Combine(_app, LocalModel), local.Info.Path);
            Assert.Equal(8192, local.ContextSize);
            Assert.Equal(4, local.Options.MaxConcurrentRequests);
            Assert.Equal(GpuLayers.Auto(10L << 30), local.Options.GpuLayers);
            Assert.True(local.Options.FlashAttention);
            Assert.Equal(1, local.Options.Threads);   // the environment variable wins over the file
            Assert.NotNull(chat.GetService<FunctionInvokingChatClient>());
            var answer = await chat.GetResponseAsync("Hello", new ChatOptions { MaxOutputTokens = 4 }, ct);
            Assert.Equal(local.ModelId, answer.ModelId);

            // Models:Small under the key "small": its chat defaults (Temperature 0 is greedy) and its embeddings.
            var small = provider.GetRequiredKeyedService<LlamaModel>("small");
            Assert.NotSame(local, small);
            Assert.Equal(Path.Combine(_app, SmallModel), small.Info.Path);
            Assert.Equal(2048, small.ContextSize);
            Assert.Equal(GpuLayers.None, small.Options.GpuLayers);
            Assert.Equal(1, small.Options.Threads);
            var first = await router.GetResponseAsync("Hello", new ChatOptions { MaxOutputTokens = 8 }, ct);
            var second = await router.GetResponseAsync("Hello", new ChatOptions { MaxOutputTokens = 8 }, ct);
            Assert.Equal(first.Text, second.Text);
            var smallEmbeddings = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("small");
            Assert.Equal(64, (await smallEmbeddings.GenerateAsync("hello", cancellationToken: ct)).Vector.Length);

            // Embeddings: MiniLM.
            var vector = await embeddings.GenerateAsync("The weather in Paris", cancellationToken: ct);
            Assert.Equal(384, vector.Vector.Length);

            // The stores AddChains registered: files under the app folder; pgvector as the IVectorStore.
            var history = Assert.IsType<FileChatHistoryStore>(provider.GetRequiredService<IChatHistoryStore>());
            await history.AppendAsync("s1", [new ChatMessage(ChatRole.User, "你好")], ct);
            Assert.True(File.Exists(Path.Combine(_app, "data", "history", Path.GetFileName(history.GetPath("s1")))));
            Assert.IsType<FileCheckpointStore>(provider.GetRequiredService<ICheckpointStore>());
            Assert.IsType<FileRecordManager>(provider.GetRequiredService<IRecordManager>());
            var store = Assert.IsType<PgvectorStore>(provider.GetRequiredService<IVectorStore>());
            Assert.Equal("docs", store.Options.Table);
            Assert.Equal(384, store.Options.Dimensions);
            Assert.Equal(PgvectorIndex.Hnsw(16, 64), store.Options.Index);
            Assert.Equal(100, store.Options.Query.EfSearch);
            Assert.Equal(PgvectorIterativeScan.RelaxedOrder, store.Options.Query.IterativeScan);
            Assert.Equal(new PgvectorRetryOptions { MaxRetries = 4, InitialDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(5) }, store.Options.Retry);
        });
    }

    [Fact]
    public async Task Register_PgvectorFromThePagesAppSettings_StoresAndSearchesOnTheServer()
    {
        var connectionString = await _postgres.GetConnectionStringAsync();
        var table = $"docs_{Guid.NewGuid():N}";
        using var env = new EnvironmentOverride([.. TestThreads, ("Chains__Pgvector__ConnectionString", connectionString), ("Chains__Pgvector__Table", table)]);
        try
        {
            await DependencyInjectionSnippets.RegisterFromConfigurationAsync(async (provider, _, _, embeddings) =>
            {
                var ct = TestContext.Current.CancellationToken;
                var store = provider.GetRequiredService<IVectorStore>();
                Document[] docs = [new("paris", "Paris is sunny today."), new("bread", "Knead the dough and let it rise.")];
                var vectors = await embeddings.GenerateAsync(docs.Select(d => d.Content), cancellationToken: ct);
                await store.UpsertAsync([.. docs.Select((d, i) => new VectorRecord(d, vectors[i].Vector))], ct);

                var found = await store.SearchAsync((await embeddings.GenerateAsync("What is the weather in Paris?", cancellationToken: ct)).Vector, new VectorSearchOptions { Top = 1 }, ct);

                Assert.Equal("paris", Assert.Single(found).Document.Id);
            });
        }
        finally
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS public.\"{table}\"", connection);
            await drop.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task RegisterInCode_SameServicesFromOptionsObjects()
    {
        var services = DependencyInjectionSnippets.RegisterInCode("Host=localhost;Database=app;Username=app");

        await using var provider = services.BuildServiceProvider();
        var model = provider.GetRequiredService<LlamaModel>();
        Assert.Equal(Path.Combine(_app, LocalModel), model.Info.Path);
        Assert.Equal(8192, model.ContextSize);
        Assert.Equal(GpuLayers.All, model.Options.GpuLayers);
        Assert.NotNull(provider.GetRequiredService<IChatClient>());
        Assert.NotNull(provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        var history = Assert.IsType<FileChatHistoryStore>(provider.GetRequiredService<IChatHistoryStore>());
        Assert.StartsWith(Path.Combine(_app, "data", "history"), history.GetPath("s1"), StringComparison.Ordinal);
        var store = Assert.IsType<PgvectorStore>(provider.GetRequiredService<IVectorStore>());
        Assert.Equal(("docs", 384), (store.Options.Table, store.Options.Dimensions));
    }

    [Fact]
    public void ValidationErrors_ThePageShowsTheMessagesRegistrationThrows()
    {
        string[] produced =
        [
            Error(() => Register("""{ "Chains": { "Models": { "Local": { "Path": "models/tiny.gguf", "ContextSize": 8192 } } } }""")),
            Error(() => Register("""{ "Chains": { "Models": { "Local": { "Path": "models/tiny.gguf", "GpuLayers": "auto" } } } }""")),
            Error(() => Register("""{ "Chains": { "Models": { "Local": { "Path": "models/tiny.gguf", "ContextSzie": 4096 } } } }""")),
            Error(() => Register("""{ "Chains": { "Pgvector": { "Table": "docs" } } }""")),
            Error(() => Register("""{ "Chains": { "Models": { "Local": { "Path": "models/qwen.gguf" } } } }""")),
        ];

        // The page shows the messages as if the app ran in /app; each paragraph of its text block is one message.
        var expected = produced.Select(m => m.Replace(_app, "/app", StringComparison.Ordinal)).ToList();
        var shown = ErrorBlockParagraphs();
        Assert.True(
            expected.SequenceEqual(shown),
            "The error messages on docs/dependency-injection.md differ from what registration throws. The ```text block must be:\n\n" +
            string.Join("\n\n", expected.Select(Wrap)));
    }

    [Fact]
    public void ValidationErrors_AConnectionStringIsNeverShown()
    {
        var message = Error(() => Register("""{ "Chains": { "Pgvector": { "Dimensions": 384, "ConnectionString": "Host=db;Password=s3cret;NoSuchKeyword=1" } } }"""));

        Assert.Contains("Configuration value 'Chains:Pgvector:ConnectionString' is (value hidden)", message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", message, StringComparison.Ordinal);
        Assert.Contains("A connection string's value is never shown in a message (`is (value hidden)`)", PageText(), StringComparison.Ordinal);
    }

    /// <summary>Registers every section the JSON has, as the page does.</summary>
    private static void Register(string json)
    {
        var chains = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("Chains");
        var services = new ServiceCollection();
        if (chains.GetSection("Models:Local").Exists())
        {
            services.AddLlamaChatClient(chains.GetSection("Models:Local"));
        }

        if (chains.GetSection("Pgvector").Exists())
        {
            services.AddChains().AddPgvectorStore(chains.GetSection("Pgvector"));
        }
    }

    private static string Error(Action register)
    {
        var ex = Assert.ThrowsAny<Exception>(register);
        Assert.True(ex is ArgumentException or FileNotFoundException or GgufFormatException, ex.ToString());
        if (ex is ArgumentException argument)
        {
            Assert.Equal("configuration", argument.ParamName);
            return argument.Message[..^" (Parameter 'configuration')".Length];
        }

        return ex.Message;
    }

    private static string PageText() => File.ReadAllText(Path.Combine(SnippetSource.RepoRoot, PagePath)).ReplaceLineEndings("\n");

    /// <summary>The page's appsettings.json: its one json block.</summary>
    private static string PageAppSettings()
    {
        var page = DocPage.Load(Path.Combine(SnippetSource.RepoRoot, PagePath));
        return Assert.Single(page.Blocks, b => b.Language == "json").Content;
    }

    /// <summary>The paragraphs of the page's text block of error messages, lines joined by a space.</summary>
    private static List<string> ErrorBlockParagraphs()
    {
        var page = DocPage.Load(Path.Combine(SnippetSource.RepoRoot, PagePath));
        var block = Assert.Single(page.Blocks, b => b.Language == "text" && b.Content.Contains("Configuration value", StringComparison.Ordinal));
        return [.. block.Content.Split("\n\n").Select(p => string.Join(' ', p.Split('\n')))];
    }

    private static string Wrap(string message)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in message.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > 118)
            {
                lines.Add(line.ToString());
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
        }

        lines.Add(line.ToString());
        return string.Join('\n', lines);
    }

    /// <summary>Sets environment variables for the duration of a test and restores them.</summary>
    private sealed class EnvironmentOverride : IDisposable
    {
        private readonly List<(string Name, string? Previous)> _previous = [];

        public EnvironmentOverride(IEnumerable<(string Name, string Value)> variables)
        {
            foreach (var (name, value) in variables)
            {
                _previous.Add((name, Environment.GetEnvironmentVariable(name)));
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach (var (name, previous) in _previous)
            {
                Environment.SetEnvironmentVariable(name, previous);
            }
        }
    }
}
