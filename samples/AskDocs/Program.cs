// AskDocs — the main job: index a folder into the in-process vector store with offline MiniLM embeddings, then answer a
// question with checked citations. Works offline: without a model it prints the best passages and their sources.
//
//   dotnet run --project samples/AskDocs                                  # index the repo's docs/, default question
//   dotnet run --project samples/AskDocs -- "How do I stream a chain?"    # your question
//   dotnet run --project samples/AskDocs -- --folder ~/notes --top 6 "问题"
//
// Options: --folder PATH (default: the repo's docs/), --index PATH (where the index is kept between runs, default
// ~/.chains/askdocs/<folder hash>), --top N (passages, default 4), --rebuild (forget the saved index).
// A model is used when CHAINS_OPENAI_ENDPOINT and CHAINS_OPENAI_MODEL name an OpenAI-compatible endpoint
// (CHAINS_OPENAI_API_KEY optional for local servers).
using System.Security.Cryptography;
using System.Text;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Chains.Indexes.Loaders;
using Chains.Indexes.Splitters;
using Chains.Indexes.VectorStores;
using Chains.Onnx;
using Chains.Samples;

Console.OutputEncoding = Encoding.UTF8;
Environment.SetEnvironmentVariable("ORT_DISABLE_TELEMETRY", "1");

var options = AskOptions.Parse(args);
if (options.Error is { } error)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine("usage: AskDocs [--folder PATH] [--index PATH] [--top N] [--rebuild] [question]");
    return 2;
}

if (!Directory.Exists(options.Folder))
{
    Console.Error.WriteLine($"The folder to index does not exist: '{options.Folder}'. Pass --folder PATH.");
    return 2;
}

Directory.CreateDirectory(options.IndexDirectory);
var storePath = Path.Combine(options.IndexDirectory, "vectors.bin");
var recordsPath = Path.Combine(options.IndexDirectory, "records.jsonl");
if (options.Rebuild)
{
    File.Delete(storePath);
    File.Delete(recordsPath);
}

Console.WriteLine($"Indexing {options.Folder}");
using var embeddings = new MiniLmEmbeddingGenerator();
using var store = File.Exists(storePath) ? await InMemoryVectorStore.LoadAsync(storePath) : new InMemoryVectorStore();
using (var records = new FileRecordManager(recordsPath))
{
    var failures = new List<FileLoadFailure>();
    var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 800, ChunkOverlap = 120 });
    var indexer = new Indexer(store, embeddings, splitter, records, new IndexerOptions { Cleanup = IndexCleanupMode.Full });

    var result = await indexer.IndexAsync(RagConsole.FolderLoader(options.Folder, failures), new ConsoleProgress());
    RagConsole.PrintIndexed(result, $"{store.Count} chunks in the index", failures);
}

await store.SaveAsync(storePath);

var retriever = store.AsRetriever(embeddings, new VectorSearchOptions { Top = options.Top });
return await RagConsole.AnswerAsync(retriever, embeddings, options.Question, "AskDocs");

/// <summary>Command-line options.</summary>
internal sealed record AskOptions(string Folder, string IndexDirectory, int Top, bool Rebuild, string Question, string? Error)
{
    private const string DefaultQuestion = "How do I stream the output of a chain, and how do I see each step's events?";

    public static AskOptions Parse(string[] args)
    {
        string? folder = null;
        string? index = null;
        var top = 4;
        var rebuild = false;
        var question = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--folder" when i + 1 < args.Length:
                    folder = args[++i];
                    break;
                case "--index" when i + 1 < args.Length:
                    index = args[++i];
                    break;
                case "--top" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], out top) || top < 1)
                    {
                        return Invalid($"--top needs a positive number, not '{args[i]}'.");
                    }

                    break;
                case "--rebuild":
                    rebuild = true;
                    break;
                case "--folder" or "--index" or "--top":
                    return Invalid($"{args[i]} needs a value.");
                default:
                    question.Add(args[i]);
                    break;
            }
        }

        folder = Path.GetFullPath(folder ?? RagConsole.FindRepoDocs() ?? Directory.GetCurrentDirectory());
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(folder)))[..16];
        index ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".chains", "askdocs", hash);
        return new AskOptions(folder, index, top, rebuild, question.Count > 0 ? string.Join(' ', question) : DefaultQuestion, null);

        static AskOptions Invalid(string message) => new(string.Empty, string.Empty, 0, false, string.Empty, message);
    }
}
