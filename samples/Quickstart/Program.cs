// Quickstart: prompt → model with chat history → parser, streamed to the console.
// Works with any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM, llama.cpp server, Ollama).
//
// The conversation is kept across runs: each session is a JSON-lines file under ~/.chains/quickstart-history
// (CHAINS_HISTORY_DIR overrides the folder); the last 20 messages go to the model with each question.
//   dotnet run --project samples/Quickstart -- --session trip "Plan a day in Kyoto."
//   dotnet run --project samples/Quickstart -- --session trip "And the day after?"   (remembers the first answer)
//   --session NAME   the conversation to continue or start (default: "default")
//   --new            forget the session's earlier messages first
using System.ClientModel;
using Chains.Memory;
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
        (add --session NAME to continue a named conversation, --new to start it over)
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

string session = "default";
var newSession = false;
var words = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--session" when i + 1 < args.Length:
            session = args[++i];
            break;
        case "--session":
            Console.Error.WriteLine("--session needs a name, e.g. --session trip");
            return 2;
        case "--new":
            newSession = true;
            break;
        default:
            words.Add(args[i]);
            break;
    }
}

var historyDirectory = Environment.GetEnvironmentVariable("CHAINS_HISTORY_DIR") is { Length: > 0 } dir
    ? dir
    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".chains", "quickstart-history");
var history = new FileChatHistoryStore(historyDirectory);
try
{
    if (newSession)
    {
        await history.ClearAsync(session);
    }

    var earlier = (await history.LoadAsync(session)).Count;
    Console.WriteLine(earlier == 0 ? $"(new session '{session}')" : $"(session '{session}': {earlier} earlier messages)");
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"'{session}' cannot name a session: {ex.Message}");
    return 2;
}

var prompt = new ChatPromptTemplate<Question>(
    ChatMessageTemplate.System("You are a concise assistant. Answer in the language of the question, in at most {MaxSentences} sentences."),
    ChatMessageTemplate.User("{Text}"));

// The system message is an instruction and is not stored; the question and the answer are appended to the session
// only when the answer completes.
Runnable<Question, string> chain = prompt
    .Pipe(client.AsRunnable().WithHistory(history, session, new WindowChatReducer(20)))
    .Pipe(new StringOutputParser());

var question = new Question(words.Count > 0 ? string.Join(' ', words) : "What is retrieval-augmented generation? 用一句中文再总结一次。", MaxSentences: 3);
Console.WriteLine($"> {question.Text}");
await foreach (var delta in chain.StreamAsync(question))
{
    Console.Write(delta);
}

Console.WriteLine();
return 0;

/// <summary>The chain's typed input.</summary>
internal sealed record Question(string Text, int MaxSentences);
