// The code of docs/getting-started.md. Compiled and run by tests/Chains.Docs.Tests; each region between
// `// <snippet:name>` and `// </snippet:name>` is shown verbatim on the page under `<!-- snippet: name -->`.
// <snippet:getting-started-usings>
using System.ClientModel;
using Chains.Indexes;
using Chains.Indexes.VectorStores;
using Chains.Onnx;
using Chains.Parsing;
using Chains.Prompts;
using Chains.Rag;
using Chains.Runnables;
using Microsoft.Extensions.AI;
using OpenAI;
// </snippet:getting-started-usings>

namespace Chains.Docs.Snippets;

// <snippet:getting-started-types>
public sealed record Explain(string Topic, string Language);
// </snippet:getting-started-types>

/// <summary>The getting-started page: a client, a first chain, streaming, and questions over your own text.</summary>
public static class GettingStarted
{
    /// <summary>Connects to an OpenAI-compatible server (builds the client only; nothing is sent).</summary>
    public static IChatClient CreateClient()
    {
        // <snippet:getting-started-client>
        // Ollama, vLLM, llama.cpp server, OpenAI, Azure OpenAI: any OpenAI-compatible endpoint.
        IChatClient client = new OpenAIClient(
                new ApiKeyCredential("unused-for-local-servers"),
                new OpenAIClientOptions { Endpoint = new Uri("http://localhost:11434/v1") })
            .GetChatClient("qwen2.5:7b")
            .AsIChatClient();
        // </snippet:getting-started-client>
        return client;
    }

    /// <summary>A prompt, a model and a parser piped into one typed chain.</summary>
    public static async Task<string> FirstChainAsync(IChatClient client)
    {
        // <snippet:getting-started-chain>
        Runnable<Explain, string> chain =
            new PromptTemplate<Explain>("Explain {Topic} in one sentence. Answer in {Language}.")
                .Pipe(client.AsRunnable())
                .Pipe(new StringOutputParser());

        string answer = await chain.InvokeAsync(new Explain("vector databases", "English"));
        Console.WriteLine(answer);
        // </snippet:getting-started-chain>
        return answer;
    }

    /// <summary>The same chain, streamed.</summary>
    public static async Task StreamAsync(IChatClient client)
    {
        Runnable<Explain, string> chain =
            new PromptTemplate<Explain>("Explain {Topic} in one sentence. Answer in {Language}.")
                .Pipe(client.AsRunnable())
                .Pipe(new StringOutputParser());

        // <snippet:getting-started-stream>
        await foreach (string delta in chain.StreamAsync(new Explain("streaming", "中文")))
        {
            Console.Write(delta);   // text deltas as the model produces them
        }
        // </snippet:getting-started-stream>
    }

    /// <summary>Questions over your own text: offline embeddings, the in-process store, an answer with citations.</summary>
    public static async Task<RagAnswer> AskYourTextAsync(IChatClient client)
    {
        // <snippet:getting-started-rag>
        using var embedder = new MiniLmEmbeddingGenerator();   // all-MiniLM-L6-v2 on ONNX Runtime: offline, no key
        using var store = new InMemoryVectorStore();

        Document[] notes =
        [
            new("pipe", "Pipe connects two steps: the output of the first is the input of the second.", source: "pipe.md"),
            new("stream", "StreamAsync yields the chunks of an answer as soon as the model produces them.", source: "stream.md"),
            new("retry", "WithRetry runs a failing step again with exponential back-off.", source: "retry.md"),
        ];
        var vectors = await embedder.GenerateAsync(notes.Select(n => n.Content));
        await store.UpsertAsync([.. notes.Select((n, i) => new VectorRecord(n, vectors[i].Vector))]);

        var qa = new RetrievalQa(store.AsRetriever(embedder, new VectorSearchOptions { Top = 2 }), client);
        RagAnswer answer = await qa.InvokeAsync("How do I get the chunks of an answer while it is generated?");

        Console.WriteLine(answer.Answer);
        foreach (RagCitation citation in answer.Citations)
        {
            Console.WriteLine($"[{citation.Number}] {citation.Passage.Source}");
        }
        // </snippet:getting-started-rag>
        return answer;
    }
}
