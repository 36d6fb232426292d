// The code of docs/dependency-injection.md, compiled and run by tests/Chains.Docs.Tests (against the page's own
// appsettings.json, tiny generated GGUF models, the real MiniLM and, for the vector store, a real PostgreSQL).
using Chains.LLamaSharp;
using Chains.Onnx;
using Chains.Pgvector;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chains.Docs.Snippets;

/// <summary>The dependency-injection page: every package registered from appsettings.json, and the same in code.</summary>
public static class DependencyInjectionSnippets
{
    /// <summary>Registers everything from appsettings.json in the current directory, resolves the models, and hands
    /// the container to <paramref name="use"/> before disposing it.</summary>
    public static async Task RegisterFromConfigurationAsync(Func<IServiceProvider, IChatClient, IChatClient, IEmbeddingGenerator<string, Embedding<float>>, Task> use)
    {
        // <snippet:di-register>
        IConfiguration configuration = new ConfigurationBuilder()
            .SetBasePath(Environment.CurrentDirectory)   // where appsettings.json and the relative paths in it live
            .AddJsonFile("appsettings.json")
            .AddEnvironmentVariables()                   // e.g. Chains__Models__Local__GpuLayers=all
            .Build();
        IConfigurationSection chains = configuration.GetSection("Chains");

        var services = new ServiceCollection();
        services.AddChains(chains)                                  // file-backed history, checkpoints, index records
            .AddPgvectorStore(chains.GetSection("Pgvector"));       // on the builder: replaces the in-process IVectorStore
        services.AddMiniLmEmbeddings(chains.GetSection("Embeddings"));
        services.AddLlamaChatClient(chains.GetSection("Models:Local"))
            .UseFunctionInvocation();                               // an M.E.AI ChatClientBuilder
        services.AddKeyedLlamaChatClient("small", chains.GetSection("Models:Small"));
        services.AddKeyedLlamaEmbeddings("small", chains.GetSection("Models:Small"));   // shares the "small" model

        await using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        IChatClient router = provider.GetRequiredKeyedService<IChatClient>("small");
        IEmbeddingGenerator<string, Embedding<float>> embeddings = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        // </snippet:di-register>
        await use(provider, chat, router, embeddings);
    }

    /// <summary>The same registrations with options in code.</summary>
    public static IServiceCollection RegisterInCode(string connectionString)
    {
        var services = new ServiceCollection();
        // <snippet:di-register-code>
        services.AddChains(o => o.ChatHistoryDirectory = "data/history")
            .AddPgvectorStore(new PgvectorStoreOptions { Table = "docs", Dimensions = 384 }, connectionString);
        services.AddMiniLmEmbeddings(new MiniLmOptions { IntraOpNumThreads = 4 });
        services.AddLlamaChatClient("models/qwen2.5-7b-instruct-q4_k_m.gguf",
            new LlamaModelOptions { ContextSize = 8192, GpuLayers = GpuLayers.All },
            new LlamaChatClientOptions { Temperature = 0.3f });
        // </snippet:di-register-code>
        return services;
    }
}
