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
using System.ClientModel;
using System.Security.Cryptography;
using System.Text;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Chains.Indexes.Loaders;
using Chains.Indexes.Splitters;
using Chains.Indexes.VectorStores;
using Chains.Onnx;
using Chains.Rag;
using Microsoft.Extensions.AI;
using OpenAI;

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
    var indexer = new Indexer(store, embeddings, splitter, records, new IndexerOptions { Cleanup = IndexCleanupMode.Full });

    var result = await indexer.IndexAsync(loader, new ConsoleProgress());
    Console.WriteLine();
    Console.WriteLine($"  {result.DocumentsAdded} added, {result.DocumentsUpdated} updated, {result.DocumentsSkipped} unchanged, {result.DocumentsDeleted} removed; " +
        $"{result.ChunksWritten} chunks embedded in {result.EmbeddingCalls} calls; {store.Count} chunks in the index ({result.Elapsed.TotalSeconds:F1} s)");
    foreach (var failure in failures)
    {
        Console.WriteLine($"  skipped {failure.SourceName}: {failure.Exception.Message}");
    }
}

await store.SaveAsync(storePath);

var retriever = store.AsRetriever(embeddings, new VectorSearchOptions { Top = options.Top });
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
        To get an answer written from these passages, with every sentence checked against its citations, point AskDocs
        at an OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM, llama.cpp server, Ollama):
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

        folder = Path.GetFullPath(folder ?? FindRepoDocs() ?? Directory.GetCurrentDirectory());
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(folder)))[..16];
        index ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".chains", "askdocs", hash);
        return new AskOptions(folder, index, top, rebuild, question.Count > 0 ? string.Join(' ', question) : DefaultQuestion, null);

        static AskOptions Invalid(string message) => new(string.Empty, string.Empty, 0, false, string.Empty, message);
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
