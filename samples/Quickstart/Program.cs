// Quickstart: prompt → model → parser, streamed to the console.
// Works with any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM, llama.cpp server, Ollama).
using System.ClientModel;
using Chains.Parsing;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;
using OpenAI;

Console.OutputEncoding = System.Text.Encoding.UTF8;

var endpoint = Environment.GetEnvironmentVariable("CHAINS_OPENAI_ENDPOINT");
var model = Environment.GetEnvironmentVariable("CHAINS_OPENAI_MODEL");
var apiKey = Environment.GetEnvironmentVariable("CHAINS_OPENAI_API_KEY");
if (string.IsNullOrWhiteSpace(endpoint) || string.IsNullOrWhiteSpace(model))
{
    Console.Error.WriteLine("""
        No model is configured, so there is nothing to run the chain against.

        Point the Quickstart at any OpenAI-compatible endpoint with these environment variables:
          CHAINS_OPENAI_ENDPOINT  base URL of the API, e.g. http://localhost:11434/v1 (Ollama) or https://<host>/v1
          CHAINS_OPENAI_MODEL     model name, e.g. qwen2.5:7b
          CHAINS_OPENAI_API_KEY   API key (any non-empty text for local servers)

        Then run again:  dotnet run --project samples/Quickstart -- "your question"
        """);
    return 2;
}

if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri))
{
    Console.Error.WriteLine($"CHAINS_OPENAI_ENDPOINT is not an absolute URL: '{endpoint}'. Example: http://localhost:11434/v1");
    return 2;
}

IChatClient client = new OpenAIClient(
        new ApiKeyCredential(string.IsNullOrWhiteSpace(apiKey) ? "unused" : apiKey),
        new OpenAIClientOptions { Endpoint = endpointUri })
    .GetChatClient(model)
    .AsIChatClient();

var prompt = new ChatPromptTemplate<Question>(
    ChatMessageTemplate.System("You are a concise assistant. Answer in the language of the question, in at most {MaxSentences} sentences."),
    ChatMessageTemplate.User("{Text}"));

Runnable<Question, string> chain = prompt
    .Pipe(client.AsRunnable())
    .Pipe(new StringOutputParser());

var question = new Question(args.Length > 0 ? string.Join(' ', args) : "What is retrieval-augmented generation? 用一句中文再总结一次。", MaxSentences: 3);
Console.WriteLine($"> {question.Text}");
await foreach (var delta in chain.StreamAsync(question))
{
    Console.Write(delta);
}

Console.WriteLine();
return 0;

/// <summary>The chain's typed input.</summary>
internal sealed record Question(string Text, int MaxSentences);
