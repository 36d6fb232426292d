// The code of docs/pgvector.md, compiled and run by tests/Chains.Docs.Tests against a real PostgreSQL 17 + pgvector.
using Chains.Agents.Graph;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Chains.Indexes.Loaders;
using Chains.Indexes.Splitters;
using Chains.Memory;
using Chains.Pgvector;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chains.Docs.Snippets;

/// <summary>The pgvector page: the store, its indexes, recall tuning, hybrid search, re-indexing, history, checkpoints.</summary>
public static class PgvectorSnippets
{
    /// <summary>A data source with pgvector's types, and a store whose table is created at start-up.</summary>
    public static async Task<long> SetupAsync(string connectionString)
    {
        // <snippet:pgvector-setup>
        var builder = new NpgsqlDataSourceBuilder(connectionString);   // e.g. "Host=localhost;Username=app;Password=...;Database=app"
        builder.UseVector();
        await using var dataSource = builder.Build();

        // The store validates its options now (a bad name or dimension fails here, naming the bad value) and creates or
        // checks its table on first use, or when you call EnsureSchemaAsync at start-up.
        await using var store = dataSource.AsVectorStore(new PgvectorStoreOptions { Table = "docs", Dimensions = 384 });
        await store.EnsureSchemaAsync();
        // </snippet:pgvector-setup>
        return await store.CountAsync();
    }

    /// <summary>Index and query settings on the store, and per-caller views with other query settings.</summary>
    public static async Task<(IReadOnlyList<VectorSearchResult> Precise, IReadOnlyList<VectorSearchResult> Exact)> IndexOptionsAsync(
        NpgsqlDataSource dataSource, IReadOnlyList<VectorRecord> records, ReadOnlyMemory<float> query)
    {
        // <snippet:pgvector-index-options>
        var store = dataSource.AsVectorStore(new PgvectorStoreOptions
        {
            Table = "docs",
            Dimensions = 384,
            Index = PgvectorIndex.Hnsw(m: 24, efConstruction: 128),
            IndexBuildMemoryMegabytes = 1024,
            Query = new PgvectorQueryOptions { EfSearch = 100, IterativeScan = PgvectorIterativeScan.RelaxedOrder },
        });

        IVectorStore precise = store.WithQueryOptions(new PgvectorQueryOptions { EfSearch = 400 });
        IVectorStore exact = store.WithQueryOptions(new PgvectorQueryOptions { Exact = true });
        // </snippet:pgvector-index-options>
        await using (store)
        {
            await store.UpsertAsync(records);
            var options = new VectorSearchOptions { Top = 5 };
            return (await precise.SearchAsync(query, options), await exact.SearchAsync(query, options));
        }
    }

    /// <summary>Measures recall at increasing ef_search values and applies the recommendation.</summary>
    public static async Task<(RecallTuningResult Tuning, IVectorStore Tuned)> TuneRecallAsync(PgvectorStore store, IReadOnlyList<ReadOnlyMemory<float>> samples)
    {
        // <snippet:pgvector-recall>
        RecallTuningResult tuning = await store.TuneRecallAsync(samples, new RecallTuningOptions { Top = 10, TargetRecall = 0.95 });
        Console.WriteLine(tuning);   // hnsw.ef_search = 10: recall@10 0.812, 0.41 ms ... recommended hnsw.ef_search = 80

        IVectorStore tuned = tuning.RecommendedQueryOptions is { } recommended
            ? store.WithQueryOptions(recommended)
            : store.WithQueryOptions(new PgvectorQueryOptions { Exact = true });   // nothing reached the target
        // </snippet:pgvector-recall>
        return (tuning, tuned);
    }

    /// <summary>Vectors and words in one statement, on a Chinese question.</summary>
    public static async Task<IReadOnlyList<VectorSearchResult>> HybridSearchAsync(PgvectorStore store, IEmbeddingGenerator<string, Embedding<float>> embeddings)
    {
        // <snippet:pgvector-hybrid>
        var question = "猫喜欢在哪里睡觉？";
        var vector = await embeddings.GenerateVectorAsync(question);
        var results = await store.HybridSearchAsync(question, vector, new HybridSearchOptions
        {
            Top = 4,
            TextWeight = 1.5,                                  // trust exact words a little more than meaning
            Filter = MetadataFilter.Eq("lang", "zh"),
        });
        // </snippet:pgvector-hybrid>
        return results;
    }

    /// <summary>Hybrid search as a retriever step.</summary>
    public static Runnable<string, IReadOnlyList<Document>> HybridRetriever(PgvectorStore store, IEmbeddingGenerator<string, Embedding<float>> embeddings)
    {
        // <snippet:pgvector-hybrid-retriever>
        var retriever = Runnable.Lambda<string, IReadOnlyList<Document>>(async (q, ct) =>
        {
            var v = await embeddings.GenerateVectorAsync(q, cancellationToken: ct);
            return (await store.HybridSearchAsync(q, v, new HybridSearchOptions { Top = 4 }, ct)).Select(r => r.Document).ToList();
        });
        // </snippet:pgvector-hybrid-retriever>
        return retriever;
    }

    /// <summary>Incremental indexing whose batches commit in one transaction with their records.</summary>
    public static async Task<IndexingResult> IndexAsync(PgvectorStore store, IEmbeddingGenerator<string, Embedding<float>> embeddings, string folder, IProgress<IndexingProgress>? progress)
    {
        var splitter = new RecursiveCharacterTextSplitter();
        // <snippet:pgvector-indexer>
        var indexer = new Indexer(store, embeddings, splitter, store.CreateRecordManager(),
            new IndexerOptions { Cleanup = IndexCleanupMode.Full, BatchSize = 64 });
        var result = await indexer.IndexAsync(new DirectoryLoader(folder), progress);
        Console.WriteLine($"{result.DocumentsAdded} added, {result.DocumentsUpdated} updated, {result.DocumentsSkipped} unchanged");
        // </snippet:pgvector-indexer>
        return result;
    }

    /// <summary>Chat history in PostgreSQL behind a chat step.</summary>
    public static async Task<PgvectorChatHistoryStore> ChatHistoryAsync(NpgsqlDataSource dataSource, IChatClient chatClient)
    {
        // <snippet:pgvector-chat-history>
        var history = dataSource.AsChatHistoryStore(new PgvectorChatHistoryOptions
        {
            MaxMessagesPerSession = 200,          // older messages are deleted in the same transaction as the append
            MaxAge = TimeSpan.FromDays(30),       // older messages are never loaded; PurgeExpiredAsync cleans all sessions
        });

        var chat = chatClient.AsRunnable().WithHistory(history, sessionId: "user-42");
        ChatResponse reply = await chat.InvokeAsync("我叫小明。");   // the question and the answer are appended
        Console.WriteLine(reply.Text);
        // </snippet:pgvector-chat-history>
        return history;
    }

    /// <summary>A state graph checkpointed in PostgreSQL: it pauses, and any instance resumes it.</summary>
    public static async Task<(GraphRunResult<Draft> Paused, GraphRunResult<Draft> Resumed)> CheckpointsAsync(NpgsqlDataSource dataSource, StateGraph<Draft> stateGraph)
    {
        // <snippet:pgvector-checkpoints>
        var checkpoints = dataSource.AsCheckpointStore(new PgvectorCheckpointOptions { Table = "agent_checkpoints" });
        await checkpoints.EnsureSchemaAsync();

        var graph = stateGraph.Compile(new StateGraphOptions
        {
            CheckpointStore = checkpoints,
            Retention = CheckpointRetention.KeepLast(20),   // older checkpoints of a thread go in the same transaction
            InterruptBefore = ["publish"],                  // a human approves the draft first
        });

        var result = await graph.RunAsync(new Draft("长城"), threadId: "ticket-1234");
        // ... the process stops here; any instance, later, with a graph over the same table:
        var resumed = await graph.ResumeAsync("ticket-1234");
        // </snippet:pgvector-checkpoints>
        return (result, resumed);
    }

    /// <summary>The store registered from configuration.</summary>
    public static ServiceCollection Register(IConfiguration configuration)
    {
        // <snippet:pgvector-di>
        var services = new ServiceCollection();   // in a hosted app: builder.Services and builder.Configuration
        services.AddChains().AddPgvectorStore(configuration.GetSection("Chains:Pgvector"));
        // </snippet:pgvector-di>
        return services;
    }

    /// <summary>Chat history and checkpoints over the data source registered in the container.</summary>
    public static void RegisterStores(IServiceCollection services)
    {
        // <snippet:pgvector-di-stores>
        services.AddSingleton<IChatHistoryStore>(sp => sp.GetRequiredService<NpgsqlDataSource>().AsChatHistoryStore());
        services.AddSingleton<ICheckpointStore>(sp => sp.GetRequiredService<NpgsqlDataSource>().AsCheckpointStore());
        // </snippet:pgvector-di-stores>
    }
}
