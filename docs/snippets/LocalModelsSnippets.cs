// The code of docs/local-models.md, compiled and run by tests/Chains.Docs.Tests (on a tiny generated GGUF model).
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Chains.LLamaSharp;
using Chains.Memory;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Chains.Docs.Snippets;

/// <summary>The local-models page: loading GGUF files, chat, structured output, tools, embeddings, memory estimates.</summary>
public static class LocalModelsSnippets
{
    /// <summary>Loads a model with a context per request, concurrency and GPU offload, and streams an answer.</summary>
    public static async Task<(int GpuLayers, LlamaModelStatistics Statistics)> QuickstartAsync(string modelPath)
    {
        // <snippet:local-models-quickstart>
        using var model = await LlamaModel.LoadAsync(modelPath, new LlamaModelOptions
        {
            ContextSize = 8192,                     // per concurrent request
            MaxConcurrentRequests = 4,              // sequences served at once; more requests queue
            GpuLayers = GpuLayers.Auto(6L << 30),   // as many layers as fit 6 GiB of VRAM
            Threads = Math.Max(1, Environment.ProcessorCount / 2),   // about one per physical core
        });

        IChatClient chat = model.AsChatClient();
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("Why is the sky blue?"))
        {
            Console.Write(update.Text);
        }
        // </snippet:local-models-quickstart>
        return (model.GpuLayerCount, model.GetStatistics());
    }

    /// <summary>Chooses the native backend; only possible before the library has loaded.</summary>
    public static void ConfigureBackend(ILoggerFactory loggerFactory)
    {
        // <snippet:local-models-backend>
        LlamaNativeLibrary.Configure(new LlamaBackendOptions
        {
            Backend = LlamaBackend.Vulkan,       // Auto, Cpu, Cuda, Vulkan
            LibraryPath = null,                  // or the path of your own libllama.so / llama.dll
            Logger = loggerFactory.CreateLogger("llama.cpp"),
        });
        // </snippet:local-models-backend>
    }

    /// <summary>Reads a model's header, and shows the typed errors of a bad file and a too-large context.</summary>
    public static GgufModelInfo HeaderAndErrors(string modelPath, string downloadedPage)
    {
        // <snippet:local-models-header>
        GgufModelInfo info = GgufModelInfo.Read(modelPath);   // the header only: no native code, no weights read
        Console.WriteLine($"{info.Architecture}, {info.ParameterCount:N0} parameters, {info.Quantization}, " +
            $"{info.BlockCount} layers, trained context {info.ContextLength}, template: {info.ChatTemplate is not null}");

        try
        {
            using var tooLong = LlamaModel.Load(modelPath, new LlamaModelOptions { ContextSize = info.ContextLength * 2 });
        }
        catch (ArgumentOutOfRangeException ex)   // names the option, before llama.cpp sees the file
        {
            Console.WriteLine(ex.Message);
        }

        try
        {
            using var notAModel = LlamaModel.Load(downloadedPage);   // e.g. an HTML error page saved as .gguf
        }
        catch (GgufFormatException ex)
        {
            Console.WriteLine(ex.Message);
        }
        // </snippet:local-models-header>
        return info;
    }

    /// <summary>Estimates the memory a model needs at each precision, and how many layers fit a VRAM budget.</summary>
    public static (IReadOnlyList<LlamaMemoryEstimate> Table, int Layers) MemoryEstimate(string llama2Path)
    {
        // <snippet:local-models-memory>
        GgufModelInfo llama2 = GgufModelInfo.Read(llama2Path);   // Llama-2-7B: 32 layers, 32 KV heads of 128

        IReadOnlyList<LlamaMemoryEstimate> table = LlamaMemoryEstimator.EstimateTable(llama2, contextSize: 4096);
        foreach (LlamaMemoryEstimate estimate in table)
        {
            Console.WriteLine(estimate);   // F16: weights 12.55 GiB + KV 2.00 GiB + compute ... = ... GiB
        }

        int layers = LlamaMemoryEstimator.GpuLayersThatFit(llama2, contextSize: 4096, vramBudgetBytes: 8L << 30);
        Console.WriteLine($"{layers} of {llama2.BlockCount} layers fit 8 GiB");   // what GpuLayers.Auto(8L << 30) offloads
        // </snippet:local-models-memory>
        return (table, layers);
    }

    /// <summary>A growing conversation: the second turn reuses the first turn's KV cache.</summary>
    public static async Task<(ChatResponse First, ChatResponse Second)> KvReuseAsync(LlamaModel model)
    {
        // <snippet:local-models-kv-reuse>
        IChatClient chat = model.AsChatClient();
        List<ChatMessage> conversation = [new(ChatRole.System, "You are a helpful assistant."), new(ChatRole.User, "Hello!")];
        var options = new ChatOptions { MaxOutputTokens = 16 };

        ChatResponse first = await chat.GetResponseAsync(conversation, options);
        conversation.AddMessages(first);
        conversation.Add(new ChatMessage(ChatRole.User, "Tell me more."));
        ChatResponse second = await chat.GetResponseAsync(conversation, options);   // only the new turn is evaluated

        Console.WriteLine($"turn 2: {second.Usage?.InputTokenCount} prompt tokens, {second.Usage?.CachedInputTokenCount} from the cache");
        LlamaModelStatistics statistics = model.GetStatistics();
        Console.WriteLine($"evaluated {statistics.EvaluatedTokens}, reused {statistics.ReusedPromptTokens}, generated {statistics.GeneratedTokens}");
        // </snippet:local-models-kv-reuse>
        return (first, second);
    }

    /// <summary>Structured output: a JSON schema, and a GBNF grammar, enforced while sampling.</summary>
    public static async Task<(ChatResponse Json, ChatResponse YesNo)> StructuredOutputAsync(LlamaModel model)
    {
        // <snippet:local-models-structured>
        IChatClient chat = model.AsChatClient();

        JsonElement schema = JsonDocument.Parse("""
            {
              "type": "object",
              "properties": {
                "city": { "type": "string", "maxLength": 24 },
                "population": { "type": "integer" },
                "capital": { "type": "boolean" }
              },
              "required": ["city", "population", "capital"],
              "additionalProperties": false
            }
            """).RootElement;
        ChatResponse response = await chat.GetResponseAsync("Name a large city as JSON.", new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "city"),
            MaxOutputTokens = 200,   // the bounded string keeps every answer well inside this
        });
        using JsonDocument city = JsonDocument.Parse(response.Text);   // valid against the schema, whatever the model
        Console.WriteLine($"{city.RootElement.GetProperty("city")}: {city.RootElement.GetProperty("population")}");

        // Any GBNF grammar: checked in managed code first, then enforced token by token.
        ChatOptions yesOrNo = new ChatOptions { MaxOutputTokens = 4 }.WithGrammar(GbnfGrammar.Parse("""root ::= "yes" | "no" """));
        ChatResponse answer = await chat.GetResponseAsync("Is Paris in France?", yesOrNo);
        Console.WriteLine(answer.Text);   // "yes" or "no", nothing else

        try
        {
            GbnfGrammar.Parse("root ::= answer");   // 'answer' is never defined
        }
        catch (GbnfGrammarException ex)
        {
            Console.WriteLine(ex.Message);   // names the rule, with line and column
        }
        // </snippet:local-models-structured>
        return (response, answer);
    }

    // <snippet:local-models-tool-method>
    [Description("Gets today's weather for a city.")]
    static string GetWeather([Description("The city"), MaxLength(20)] string city) => $"Sunny and 24°C in {city}.";
    // </snippet:local-models-tool-method>

    /// <summary>Tools through M.E.AI's function invocation: the model's calls run and their results go back to it.</summary>
    public static async Task<ChatResponse> ToolsAsync(LlamaModel model)
    {
        // <snippet:local-models-tools>
        IChatClient chat = new ChatClientBuilder(model.AsChatClient()).UseFunctionInvocation().Build();

        ChatResponse answer = await chat.GetResponseAsync("Weather in Paris?", new ChatOptions
        {
            Tools = [AIFunctionFactory.Create(GetWeather)],
            ToolMode = ChatToolMode.RequireAny,   // call a tool first; after the results the model may answer
            AllowMultipleToolCalls = false,       // one call per turn
            MaxOutputTokens = 300,                // MaxLength keeps a call well inside this; a cut call comes back as text
        });

        foreach (FunctionCallContent call in answer.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>())
        {
            Console.WriteLine($"{call.Name}({JsonSerializer.Serialize(call.Arguments)})");
        }
        // </snippet:local-models-tools>
        return answer;
    }

    /// <summary>Embeddings from a local model: pooled, normalised, truncated on request.</summary>
    public static async Task<(GeneratedEmbeddings<Embedding<float>> Vectors, Embedding<float> Short, int? Dimensions)> EmbeddingsAsync(LlamaModel model)
    {
        // <snippet:local-models-embeddings>
        using IEmbeddingGenerator<string, Embedding<float>> embedder = model.AsEmbeddingGenerator(new LlamaEmbeddingOptions
        {
            Pooling = EmbeddingPooling.Mean,   // Model: the pooling the GGUF declares (embedding models do)
            Normalize = true,                  // unit length: the dot product is the cosine
        });

        GeneratedEmbeddings<Embedding<float>> vectors = await embedder.GenerateAsync(["the weather in Paris", "hello world"]);
        int? dimensions = embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions;

        Embedding<float> shorter = await embedder.GenerateAsync("hello world", new EmbeddingGenerationOptions { Dimensions = 16 });
        Console.WriteLine($"{vectors.Count} vectors of {dimensions}; truncated to {shorter.Vector.Length}");
        // </snippet:local-models-embeddings>
        return (vectors, shorter, dimensions);
    }

    /// <summary>Loads a model with a LoRA adapter applied.</summary>
    public static async Task<ChatResponse> LoraAsync(string modelPath, string adapterPath, ChatOptions greedy)
    {
        // <snippet:local-models-lora>
        var options = new LlamaModelOptions
        {
            LoraAdapters = [new LlamaLoraAdapter(adapterPath, Scale: 0.8f)],   // checked against the base model first
        };
        using var model = LlamaModel.Load(modelPath, options);
        // </snippet:local-models-lora>
        return await model.AsChatClient().GetResponseAsync("Hello", greedy);
    }

    /// <summary>Counts tokens as the model does, for budgets.</summary>
    public static (int Text, int Message) CountTokens(LlamaModel model)
    {
        // <snippet:local-models-tokens>
        int words = model.CountTokens("the weather in Paris");   // the model's own vocabulary

        ITokenCounter counter = model.AsTokenCounter();   // for Chains' memory: token budgets, summarising reducers
        int message = counter.CountTokens(new ChatMessage(ChatRole.User, "the weather in Paris"));   // with the template's framing
        Console.WriteLine($"{words} tokens of text, {message} as a chat message");
        // </snippet:local-models-tokens>
        return (words, message);
    }

    /// <summary>Downloads a model file into a cache, verified by SHA-256 and resumed after an interruption.</summary>
    public static async Task<string> DownloadAsync(Uri url, string sha256, string cacheDirectory)
    {
        // <snippet:local-models-download>
        using var httpClient = new HttpClient();   // in an app: IHttpClientFactory
        var downloader = new ModelDownloader(httpClient, cacheDirectory);

        string path = await downloader.DownloadAsync(url, sha256, new Progress<ModelDownloadProgress>(p =>
            Console.WriteLine($"{p.BytesReceived:N0} of {p.TotalBytes:N0} bytes{(p.Resumed ? " (resumed)" : "")}")));
        // </snippet:local-models-download>
        return path;
    }
}
