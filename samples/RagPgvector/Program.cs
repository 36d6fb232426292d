// RagPgvector — AskDocs on PostgreSQL: index a folder into a pgvector table (HNSW index, full-text terms, records for
// incremental re-indexing, all in one transaction per batch) with offline MiniLM embeddings, then answer a question with
// checked citations from a hybrid (vector + full-text) search. Works offline: without a model it prints the best
// passages and their sources. Chinese works too: the full-text side indexes Chinese as character bigrams.
//
//   dotnet run --project samples/RagPgvector -- --connection "Host=localhost;Username=postgres;Password=...;Database=rag"
//   dotnet run --project samples/RagPgvector -- --connection "..." --folder ~/notes "猫喜欢在哪里睡觉？"
//
// Options: --connection CONNSTRING (or CHAINS_PGVECTOR_CONNECTION), --folder PATH (default: the repo's docs/),
// --schema NAME (default public), --table NAME (default rag_chunks), --top N (passages, default 4).
// Run it again after editing the folder: unchanged files cost no embedding call, removed files leave the index.
// A model is used when CHAINS_OPENAI_ENDPOINT and CHAINS_OPENAI_MODEL name an OpenAI-compatible endpoint
// (CHAINS_OPENAI_API_KEY optional for local servers). The database needs the pgvector extension (CREATE EXTENSION vector).
using System.ClientModel;
using System.Text;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Chains.Indexes.Loaders;
using Chains.Indexes.Splitters;
using Chains.Onnx;
using Chains.Pgvector;
using Chains.Rag;
using Chains.Runnables;
using Microsoft.Extensions.AI;
using Npgsql;
using OpenAI;

Console.OutputEncoding = Encoding.UTF8;
Environment.SetEnvironmentVariable("ORT_DISABLE_TELEMETRY", "1");

var options = RagOptions.Parse(args);
if (options.Error is { } error)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine("usage: RagPgvector --connection CONNSTRING [--folder PATH] [--schema NAME] [--table NAME] [--top N] [question]");
    return 2;
}

if (!Directory.Exists(options.Folder))
{
    Console.Error.WriteLine($"The folder to index does not exist: '{options.Folder}'. Pass --folder PATH.");
    return 2;
}

var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
builder.UseVector();
await using var dataSource = builder.Build();
PgvectorStore store;
try
{
    // Validated here, before anything touches the server: a bad schema or table name names itself.
    store = dataSource.AsVectorStore(new PgvectorStoreOptions
    {
        Schema = options.Schema,
        Table = options.Table,
        Dimensions = MiniLmEmbeddingGenerator.Dimensions,
        Index = PgvectorIndex.Hnsw(),
    });
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

using var embeddings = new MiniLmEmbeddingGenerator();
await using (store)
{
    try
    {
        await store.EnsureSchemaAsync();
    }
    catch (PgvectorUnavailableException ex)
    {
        Console.Error.WriteLine($"Cannot reach PostgreSQL ({ex.Message}). Check --connection.");
        return 3;
    }

    Console.WriteLine($"Indexing {options.Folder} into {options.Schema}.{options.Table}");
    var registry = DocumentLoaderRegistry.CreateDefault().AddDocumentFormats();
    var failures = new List<FileLoadFailure>();
    var loader = new DirectoryLoader(options.Folder, new DirectoryLoaderOptions
    {
        Include = ["**/*.md", "**/*.txt", "**/*.html", "**/*.pdf", "**/*.docx", "**/*.csv", "**/*.json"],
        Exclude = ["**/bin/**", "**/obj/**", "**/.git/**"],
        Loaders = registry,
        OnError = failures.Add,
    });
    var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 800, ChunkOverlap = 120 });

    // The store's own record manager keeps the records in the same database, so each batch of chunks and its records
    // commit in one transaction: a crash leaves every document wholly old or wholly new.
    var indexer = new Indexer(store, embeddings, splitter, store.CreateRecordManager(), new IndexerOptions { Cleanup = IndexCleanupMode.Full });
    var result = await indexer.IndexAsync(loader, new ConsoleProgress());
    Console.WriteLine();
    Console.WriteLine($"  {result.DocumentsAdded} added, {result.DocumentsUpdated} updated, {result.DocumentsSkipped} unchanged, {result.DocumentsDeleted} removed; " +
        $"{result.ChunksWritten} chunks embedded in {result.EmbeddingCalls} calls; {await store.CountAsync()} chunks in the table ({result.Elapsed.TotalSeconds:F1} s)");
    foreach (var failure in failures)
    {
        Console.WriteLine($"  skipped {failure.SourceName}: {failure.Exception.Message}");
    }

    // Hybrid retrieval: the nearest vectors and the best full-text matches fused by rank in one SQL statement.
    var hybrid = new HybridSearchOptions { Top = options.Top };
    var retriever = Runnable.Lambda<string, IReadOnlyList<Document>>(
        async (question, ct) =>
        {
            var vector = await embeddings.GenerateVectorAsync(question, cancellationToken: ct);
            var found = await store.HybridSearchAsync(question, vector, hybrid, ct);
            return found.Select(r => r.Document).ToList();
        },
        "pgvector hybrid search");

    Console.WriteLine();
    Console.WriteLine($"> {options.Question}");
    var chatClient = ModelFromEnvironment(out var modelProblem);
    if (chatClient is null)
    {
        var passages = await retriever.InvokeAsync(options.Question);
        Console.WriteLine();
        Console.WriteLine("Best passages:");
        for (var i = 0; i < passages.Count; i++)
        {
            PrintPassage(i + 1, passages[i]);
        }

        Console.WriteLine();
        Console.WriteLine(modelProblem);
        Console.WriteLine("""
            To get an answer written from these passages, with every sentence checked against its citations, point
            RagPgvector at an OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM, llama.cpp server, Ollama):
              export CHAINS_OPENAI_ENDPOINT=http://localhost:11434/v1
              export CHAINS_OPENAI_MODEL=qwen2.5:7b
              export CHAINS_OPENAI_API_KEY=...        # any text for local servers
            """);
        return 0;
    }

    using (chatClient)
    {
        var qa = new RetrievalQa(retriever, chatClient, new RetrievalQaOptions { EmbeddingGenerator = embeddings });
        RagAnswer? answer = null;
        Console.WriteLine();
        await foreach (var snapshot in qa.StreamAsync(options.Question))
        {
            Console.Write(snapshot.AnswerDelta);
            answer = snapshot;
        }

        Console.WriteLine();
        if (answer is null)
        {
            return 1;
        }

        Console.WriteLine();
        Console.WriteLine("Sources:");
        foreach (var citation in answer.Citations)
        {
            PrintPassage(citation.Number, citation.Passage);
        }

        var unsupported = answer.Sentences.Where(s => !s.Supported).ToList();
        Console.WriteLine();
        Console.WriteLine(unsupported.Count == 0
            ? "Every sentence is supported by the passage it cites."
            : $"{unsupported.Count} sentence(s) are not supported by their citations:");
        foreach (var sentence in unsupported)
        {
            Console.WriteLine($"  ! {sentence.Text}");
        }
    }
}

return 0;

static void PrintPassage(int number, Document passage)
{
    var where = passage.Source ?? passage.Id;
    if (passage.Span is { } span)
    {
        where += $" [{span.Start}..{span.End})";
    }

    var text = passage.Content.ReplaceLineEndings(" ");
    Console.WriteLine($"  [{number}] {where}");
    Console.WriteLine($"      {(text.Length > 240 ? text[..240] + "…" : text)}");
}

static IChatClient? ModelFromEnvironment(out string problem)
{
    var endpoint = Environment.GetEnvironmentVariable("CHAINS_OPENAI_ENDPOINT");
    var model = Environment.GetEnvironmentVariable("CHAINS_OPENAI_MODEL");
    if (string.IsNullOrWhiteSpace(endpoint) || string.IsNullOrWhiteSpace(model))
    {
        problem = "No model is configured, so these are the passages a model would answer from.";
        return null;
    }

    if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
    {
        problem = $"CHAINS_OPENAI_ENDPOINT is not an absolute URL: '{endpoint}'.";
        return null;
    }

    problem = string.Empty;
    var key = Environment.GetEnvironmentVariable("CHAINS_OPENAI_API_KEY");
    return new OpenAIClient(new ApiKeyCredential(string.IsNullOrWhiteSpace(key) ? "unused" : key), new OpenAIClientOptions { Endpoint = uri })
        .GetChatClient(model)
        .AsIChatClient();
}

/// <summary>Prints indexing progress on one console line.</summary>
internal sealed class ConsoleProgress : IProgress<IndexingProgress>
{
    public void Report(IndexingProgress value)
        => Console.Write($"\r  {value.Documents} documents, {value.Chunks} chunks, {value.Embeddings} embeddings ({value.ChunksPerSecond:F0} chunks/s)   ");
}

/// <summary>Command-line options.</summary>
internal sealed record RagOptions(string ConnectionString, string Folder, string Schema, string Table, int Top, string Question, string? Error)
{
    private const string DefaultQuestion = "How do I keep chat history in PostgreSQL?";

    public static RagOptions Parse(string[] args)
    {
        string? connection = Environment.GetEnvironmentVariable("CHAINS_PGVECTOR_CONNECTION");
        string? folder = null;
        var schema = "public";
        var table = "rag_chunks";
        var top = 4;
        var question = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--connection" when i + 1 < args.Length:
                    connection = args[++i];
                    break;
                case "--folder" when i + 1 < args.Length:
                    folder = args[++i];
                    break;
                case "--schema" when i + 1 < args.Length:
                    schema = args[++i];
                    break;
                case "--table" when i + 1 < args.Length:
                    table = args[++i];
                    break;
                case "--top" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], out top) || top < 1)
                    {
                        return Invalid($"--top needs a positive number, not '{args[i]}'.");
                    }

                    break;
                case "--connection" or "--folder" or "--schema" or "--table" or "--top":
                    return Invalid($"{args[i]} needs a value.");
                default:
                    question.Add(args[i]);
                    break;
            }
        }

        if (string.IsNullOrWhiteSpace(connection))
        {
            return Invalid("No database: pass --connection \"Host=...;Username=...;Password=...;Database=...\" or set CHAINS_PGVECTOR_CONNECTION.");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connection);
        }
        catch (ArgumentException ex)
        {
            return Invalid($"--connection is not an Npgsql connection string: {ex.Message}");
        }

        folder = Path.GetFullPath(folder ?? FindRepoDocs() ?? Directory.GetCurrentDirectory());
        return new RagOptions(connection, folder, schema, table, top, question.Count > 0 ? string.Join(' ', question) : DefaultQuestion, null);

        static RagOptions Invalid(string message) => new(string.Empty, string.Empty, string.Empty, string.Empty, 0, string.Empty, message);
    }

    private static string? FindRepoDocs()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Chains.sln")) && Directory.Exists(Path.Combine(dir.FullName, "docs")))
                {
                    return Path.Combine(dir.FullName, "docs");
                }
            }
        }

        return null;
    }
}
