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
using System.Text;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Chains.Indexes.Loaders;
using Chains.Indexes.Splitters;
using Chains.Onnx;
using Chains.Pgvector;
using Chains.Runnables;
using Chains.Samples;
using Microsoft.Extensions.AI;
using Npgsql;

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
    var failures = new List<FileLoadFailure>();
    var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 800, ChunkOverlap = 120 });

    // The store's own record manager keeps the records in the same database, so each batch of chunks and its records
    // commit in one transaction: a crash leaves every document wholly old or wholly new.
    var indexer = new Indexer(store, embeddings, splitter, store.CreateRecordManager(), new IndexerOptions { Cleanup = IndexCleanupMode.Full });
    var result = await indexer.IndexAsync(RagConsole.FolderLoader(options.Folder, failures), new ConsoleProgress());
    RagConsole.PrintIndexed(result, $"{await store.CountAsync()} chunks in the table", failures);

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

    return await RagConsole.AnswerAsync(retriever, embeddings, options.Question, "RagPgvector");
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

        folder = Path.GetFullPath(folder ?? RagConsole.FindRepoDocs() ?? Directory.GetCurrentDirectory());
        return new RagOptions(connection, folder, schema, table, top, question.Count > 0 ? string.Join(' ', question) : DefaultQuestion, null);

        static RagOptions Invalid(string message) => new(string.Empty, string.Empty, string.Empty, string.Empty, 0, string.Empty, message);
    }
}
