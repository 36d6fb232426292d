// The console side that AskDocs and RagPgvector share: which files of a folder they index, how indexing is reported,
// and how a question is answered from a retriever: with a model from CHAINS_OPENAI_* when one is configured, otherwise
// by printing the best passages. Each sample links this file (see its .csproj); only the store differs between them.
using System.ClientModel;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Chains.Indexes.Loaders;
using Chains.Rag;
using Chains.Runnables;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Chains.Samples;

/// <summary>Indexing a folder and answering a question with citations, on the console.</summary>
internal static class RagConsole
{
    /// <summary>Loads the text, Markdown, HTML, PDF, Word, CSV and JSON files under <paramref name="folder"/>, skipping
    /// build output and .git; a file that fails to load is added to <paramref name="failures"/> instead of stopping.</summary>
    public static DirectoryLoader FolderLoader(string folder, List<FileLoadFailure> failures) => new(folder, new DirectoryLoaderOptions
    {
        Include = ["**/*.md", "**/*.txt", "**/*.html", "**/*.pdf", "**/*.docx", "**/*.csv", "**/*.json"],
        Exclude = ["**/bin/**", "**/obj/**", "**/.git/**"],
        Loaders = DocumentLoaderRegistry.CreateDefault().AddDocumentFormats(),
        OnError = failures.Add,
    });

    /// <summary>Ends the progress line and prints what indexing did, <paramref name="stored"/> (e.g. "12 chunks in
    /// the index") and each file that was skipped.</summary>
    public static void PrintIndexed(IndexingResult result, string stored, IReadOnlyList<FileLoadFailure> failures)
    {
        Console.WriteLine();
        Console.WriteLine($"  {result.DocumentsAdded} added, {result.DocumentsUpdated} updated, {result.DocumentsSkipped} unchanged, {result.DocumentsDeleted} removed; " +
            $"{result.ChunksWritten} chunks embedded in {result.EmbeddingCalls} calls; {stored} ({result.Elapsed.TotalSeconds:F1} s)");
        foreach (var failure in failures)
        {
            Console.WriteLine($"  skipped {failure.SourceName}: {failure.Exception.Message}");
        }
    }

    /// <summary>
    /// Answers <paramref name="question"/> from what <paramref name="retriever"/> finds. With a model configured, streams
    /// the answer, then its sources and any sentence its citations do not support; without one, prints the passages a
    /// model would answer from and how <paramref name="sample"/> can be pointed at a model.
    /// </summary>
    /// <returns>The process exit code: 0, or 1 when the model gave no answer.</returns>
    public static async Task<int> AnswerAsync(
        Runnable<string, IReadOnlyList<Document>> retriever,
        IEmbeddingGenerator<string, Embedding<float>> embeddings,
        string question,
        string sample)
    {
        Console.WriteLine();
        Console.WriteLine($"> {question}");
        var chatClient = ModelFromEnvironment(out var modelProblem);
        if (chatClient is null)
        {
            var passages = await retriever.InvokeAsync(question);
            Console.WriteLine();
            Console.WriteLine("Best passages:");
            for (var i = 0; i < passages.Count; i++)
            {
                PrintPassage(i + 1, passages[i]);
            }

            Console.WriteLine();
            Console.WriteLine(modelProblem);
            Console.WriteLine($"""
                To get an answer written from these passages, with every sentence checked against its citations, point {sample}
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
            await foreach (var snapshot in qa.StreamAsync(question))
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
    }

    /// <summary>The repository's docs/ folder when run from inside the repository (or built into it), else null.</summary>
    public static string? FindRepoDocs()
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

    private static void PrintPassage(int number, Document passage)
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

    private static IChatClient? ModelFromEnvironment(out string problem)
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
}

/// <summary>Prints indexing progress on one console line.</summary>
internal sealed class ConsoleProgress : IProgress<IndexingProgress>
{
    public void Report(IndexingProgress value)
        => Console.Write($"\r  {value.Documents} documents, {value.Chunks} chunks, {value.Embeddings} embeddings ({value.ChunksPerSecond:F0} chunks/s)   ");
}
