// Agent sample: a tool-calling agent whose risky tool asks for approval on the console, streamed step by step.
// Runs on any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM, llama.cpp server, Ollama), on a local GGUF file
// with --model, and can add the tools of an MCP server with --mcp.
//   --model PATH        a local GGUF file instead of an endpoint        --threads N     llama.cpp threads (local model)
//   --mcp "COMMAND"     add the tools of a stdio MCP server              --seed N        repeatable sampling
//   --workspace DIR     the folder the file tools work in                --max-tokens N  cap on each model answer
//   --first-tool NAME   the first model turn must call NAME (small local models rarely pick a tool on their own)
//   --context N         context size of the local model, in tokens (default: its training context, at most 4096)
// On a local model each call keeps within the context: the oldest messages are dropped first (instructions, tool
// definitions and room for the answer always stay). A request that cannot fit even so is reported, with exit code 3.
using System.ClientModel;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using AgentSample;
using Chains.Agents;
using Chains.LLamaSharp;
using Chains.Memory;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;
using OpenAI;

Console.OutputEncoding = System.Text.Encoding.UTF8;

string? modelPath = null;
string? mcpCommand = null;
string? firstTool = null;
var workspace = Path.Combine(Path.GetTempPath(), "chains-agent-sample");
int? threads = null, seed = null, maxTokens = null, context = null;
var question = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model" when i + 1 < args.Length:
            modelPath = args[++i];
            break;
        case "--mcp" when i + 1 < args.Length:
            mcpCommand = args[++i];
            break;
        case "--workspace" when i + 1 < args.Length:
            workspace = Path.GetFullPath(args[++i]);
            break;
        case "--first-tool" when i + 1 < args.Length:
            firstTool = args[++i];
            break;
        case "--threads" or "--seed" or "--max-tokens" or "--context" when i + 1 < args.Length:
            if (!int.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                Console.Error.WriteLine($"{args[i]} needs a whole number of at least 1, not '{args[i + 1]}'.");
                return 2;
            }

            if (args[i] == "--threads")
            {
                threads = number;
            }
            else if (args[i] == "--seed")
            {
                seed = number;
            }
            else if (args[i] == "--context")
            {
                context = number;
            }
            else
            {
                maxTokens = number;
            }

            i++;
            break;
        default:
            question.Add(args[i]);
            break;
    }
}

using var model = await ModelSetup.CreateAsync(modelPath, threads, context);
if (model is null)
{
    return 2;
}

// Tools: plain C# methods. Writing a file changes the machine, so it needs approval.
Directory.CreateDirectory(workspace);
Console.WriteLine($"Workspace: {workspace}");
var files = new WorkspaceTools(workspace);
var tools = new List<AITool>
{
    AIFunctionFactory.Create(WorkspaceTools.Now, "now"),
    AIFunctionFactory.Create(files.ListFiles, "list_files"),
    AIFunctionFactory.Create(files.ReadFile, "read_file"),
    new ApprovalRequiredAIFunction(AIFunctionFactory.Create(files.WriteFile, "write_file")),
};

await using var mcp = mcpCommand is null ? null : await McpTools.ConnectAsync(mcpCommand, tools);

var client = model.Client;
if (model.Local is { } local)
{
    // The agent's messages grow with every tool round; a local model's context does not. Before each call the oldest
    // messages are dropped to fit, counted with the model's own tokenizer and chat template; the instructions, the tool
    // definitions and room for the answer (and the template's reply opening) always stay. The room is --max-tokens (at
    // most a quarter of the context), or else 64 tokens: an answer that runs on stops at the end of the context.
    var reply = Math.Min(maxTokens ?? 64, local.ContextSize / 4);
    var budget = new TokenBudgetChatReducer(local.AsTokenCounter(), local.ContextSize, new TokenBudgetOptions { Tools = tools, ReservedTokens = reply + 16 });
    client = client.AsBuilder().UseChatReducer(budget).Build();
}

if (firstTool is not null)
{
    if (!tools.Any(t => t.Name == firstTool))
    {
        Console.Error.WriteLine($"--first-tool '{firstTool}' is not one of the tools: {string.Join(", ", tools.Select(t => t.Name))}.");
        return 2;
    }

    client = new FirstTurnToolChoice(client, firstTool);
}

var agent = new AgentExecutor(client, tools, new AgentExecutorOptions
{
    Instructions = "You are a careful assistant working in a folder of files that the tools can list, read and write. Use the tools; keep answers short.",
    MaxIterations = 8,
    MaxTotalTokens = 50_000,
    MaxWallTime = TimeSpan.FromMinutes(3),
    ApprovalCallback = ConsoleApproval.AskAsync,
    ChatOptions = new ChatOptions { Seed = seed, MaxOutputTokens = maxTokens },
});

var text = question.Count > 0 ? string.Join(' ', question) : "What time is it? Then write it into a file named time.txt and list the files.";
Console.WriteLine($"> {text}\n");
AgentResult? result = null;
try
{
    await foreach (var step in agent.StreamAgentEventsAsync(text))
    {
        switch (step)
        {
            case AgentModelUpdateEvent { Update.Text: { Length: > 0 } delta }:
                Console.Write(delta);
                break;
            case AgentToolStartedEvent started:
                Console.ForegroundColor = ConsoleColor.DarkCyan;
                Console.WriteLine($"\n→ {started.Call.Name}({JsonSerializer.Serialize(started.Arguments)})");
                Console.ResetColor();
                break;
            case AgentToolCompletedEvent completed:
                Console.ForegroundColor = completed.ToolCall.Status == AgentToolCallStatus.Succeeded ? ConsoleColor.DarkGreen : ConsoleColor.DarkYellow;
                Console.WriteLine($"← {completed.ToolCall.Call.Name}: {completed.ToolCall.Status} {Shorten(completed.ToolCall.Result?.Result)}");
                Console.ResetColor();
                break;
            case AgentCompletedEvent done:
                result = done.Result;
                break;
        }
    }
}
catch (Exception ex) when (ex is TokenBudgetExceededException or LlamaContextOverflowException)
{
    // Even the instructions, the tool definitions, the latest message and room for the answer need more tokens than
    // the context has: say so instead of failing with a stack trace.
    Console.WriteLine();
    Console.Error.WriteLine("The request does not fit the model's context, so the agent stopped.");
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("Shorten the request, or load the model with a larger context (--context N, up to the context it was trained with).");
    return 3;
}

Console.WriteLine();
if (result is not null)
{
    Console.ForegroundColor = ConsoleColor.DarkGray;
    Console.WriteLine($"[{result.StopReason} after {result.Iterations} model call(s), {result.Usage.TotalTokenCount ?? 0} tokens, {result.Elapsed.TotalSeconds:F1} s]");
    Console.ResetColor();
}

return result?.IsCompleted == true ? 0 : 1;

static string Shorten(object? value)
{
    var text = value switch
    {
        null => string.Empty,
        string s => s,
        _ => value.ToString() ?? string.Empty,
    };
    text = text.ReplaceLineEndings(" ");
    return text.Length <= 100 ? text : text[..97] + "...";
}

namespace AgentSample
{
    /// <summary>The model: an OpenAI-compatible endpoint from the environment, or a local GGUF file.</summary>
    internal sealed class ModelSetup : IDisposable
    {
        private ModelSetup(IChatClient client, LlamaModel? local)
        {
            Client = client;
            Local = local;
        }

        public IChatClient Client { get; }

        /// <summary>Gets the local model, or <see langword="null"/> on an endpoint.</summary>
        public LlamaModel? Local { get; }

        public static async Task<ModelSetup?> CreateAsync(string? modelPath, int? threads, int? context)
        {
            if (modelPath is not null)
            {
                if (!File.Exists(modelPath))
                {
                    Console.Error.WriteLine($"No GGUF file at '{modelPath}'.");
                    return null;
                }

                // Grammar-constrained tool calls on the local model (Chains.LLamaSharp, CPU backend).
                Console.WriteLine($"Model:     {GgufModelInfo.Read(modelPath)}");
                LlamaModel local;
                try
                {
                    local = await LlamaModel.LoadAsync(modelPath, new LlamaModelOptions { MaxConcurrentRequests = 1, Threads = threads, ContextSize = context }, new LoadProgress());
                }
                catch (ArgumentException ex)
                {
                    Console.Error.WriteLine(ex.Message);
                    return null;
                }

                return new ModelSetup(local.AsChatClient(), local);
            }

            var endpoint = Environment.GetEnvironmentVariable("CHAINS_OPENAI_ENDPOINT");
            var name = Environment.GetEnvironmentVariable("CHAINS_OPENAI_MODEL");
            var apiKey = Environment.GetEnvironmentVariable("CHAINS_OPENAI_API_KEY");
            if (string.IsNullOrWhiteSpace(endpoint) || string.IsNullOrWhiteSpace(name))
            {
                Console.Error.WriteLine("""
                    No model is configured, so there is nothing to run the agent on.

                    Either point the sample at an OpenAI-compatible endpoint with tool calling:
                      CHAINS_OPENAI_ENDPOINT  base URL of the API, e.g. http://localhost:11434/v1 (Ollama) or https://<host>/v1
                      CHAINS_OPENAI_MODEL     model name, e.g. qwen2.5:7b
                      CHAINS_OPENAI_API_KEY   API key (any non-empty text for local servers)
                    or run a local GGUF model:
                      dotnet run --project samples/Agent -- --model path/to/model.gguf "your request"

                    Optionally add the tools of an MCP server:  --mcp "npx -y @modelcontextprotocol/server-everything"
                    """);
                return null;
            }

            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri))
            {
                Console.Error.WriteLine($"CHAINS_OPENAI_ENDPOINT is not an absolute URL: '{endpoint}'. Example: http://localhost:11434/v1");
                return null;
            }

            var client = new OpenAIClient(
                    new ApiKeyCredential(string.IsNullOrWhiteSpace(apiKey) ? "unused" : apiKey),
                    new OpenAIClientOptions { Endpoint = endpointUri })
                .GetChatClient(name)
                .AsIChatClient();
            return new ModelSetup(client, null);
        }

        public void Dispose()
        {
            Client.Dispose();
            Local?.Dispose();
        }
    }

    /// <summary>Asks on the console: approve, reject with a reason, or edit the arguments as JSON.</summary>
    internal static class ConsoleApproval
    {
        public static async ValueTask<ToolApprovalDecision> AskAsync(ToolApprovalRequest request, CancellationToken cancellationToken)
        {
            // Answers may come from a person or from piped input; the end of the input answers "no".
            Console.ForegroundColor = ConsoleColor.Yellow;
            Console.WriteLine($"\n? The agent wants to run {request.ToolName}({JsonSerializer.Serialize(request.Arguments)})");
            Console.Write("  [y]es / [n]o / [e]dit arguments: ");
            Console.ResetColor();
            var answer = (await ReadLineAsync(cancellationToken))?.Trim().ToLowerInvariant();
            switch (answer)
            {
                case null:
                    Console.WriteLine();
                    return ToolApprovalDecision.Reject("nobody answered at the console");
                case "y" or "yes":
                    return ToolApprovalDecision.Approve();
                case "e" or "edit":
                    Console.Write("  arguments as JSON: ");
                    var json = await ReadLineAsync(cancellationToken);
                    try
                    {
                        var arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json ?? "{}") ?? [];
                        return ToolApprovalDecision.Edit(arguments.ToDictionary(a => a.Key, a => (object?)a.Value));
                    }
                    catch (JsonException ex)
                    {
                        return ToolApprovalDecision.Reject($"the approver's edit was not valid JSON ({ex.Message})");
                    }

                default:
                    Console.Write("  reason (optional): ");
                    var reason = await ReadLineAsync(cancellationToken);
                    return ToolApprovalDecision.Reject(string.IsNullOrWhiteSpace(reason) ? null : reason);
            }
        }

        private static Task<string?> ReadLineAsync(CancellationToken cancellationToken)
            => Task.Run(Console.ReadLine, cancellationToken).WaitAsync(cancellationToken);
    }

    /// <summary>Shows how far the model load is, one line per tenth.</summary>
    internal sealed class LoadProgress : IProgress<float>
    {
        private int _shown = -1;

        public void Report(float value)
        {
            var tenth = (int)(value * 10);
            if (tenth > _shown)
            {
                _shown = tenth;
                Console.WriteLine($"Loading:   {tenth * 10,3}%");
            }
        }
    }

    /// <summary>Makes the first model call of the run call one tool; later calls choose freely.</summary>
    internal sealed class FirstTurnToolChoice(IChatClient inner, string toolName) : DelegatingChatClient(inner)
    {
        private int _calls;

        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => base.GetResponseAsync(messages, Choose(options), cancellationToken);

        public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => base.GetStreamingResponseAsync(messages, Choose(options), cancellationToken);

        private ChatOptions? Choose(ChatOptions? options)
        {
            if (Interlocked.Increment(ref _calls) != 1)
            {
                return options;
            }

            var first = options?.Clone() ?? new ChatOptions();
            first.ToolMode = ChatToolMode.RequireSpecific(toolName);
            first.AllowMultipleToolCalls = false;
            return first;
        }
    }

    /// <summary>File tools confined to one folder.</summary>
    internal sealed class WorkspaceTools(string root)
    {
        // The limits are part of each tool's JSON schema, so a local model's grammar keeps its arguments within them.
        private const int MaxNameLength = 64;
        private const int MaxContentLength = 4000;

        [Description("Gets the current date and time (UTC, ISO 8601).")]
        public static string Now() => TimeProvider.System.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);

        [Description("Lists the files of the workspace.")]
        public string[] ListFiles() => [.. Directory.EnumerateFiles(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

        [Description("Reads a file of the workspace.")]
        public string ReadFile([Description("The file name, e.g. notes.txt."), StringLength(MaxNameLength, MinimumLength = 1)] string name) => File.ReadAllText(Resolve(name));

        [Description("Writes (replaces) a file of the workspace.")]
        public string WriteFile(
            [Description("The file name, e.g. notes.txt."), StringLength(MaxNameLength, MinimumLength = 1)] string name,
            [Description("The full new content."), StringLength(MaxContentLength)] string content)
        {
            File.WriteAllText(Resolve(name), content);
            return $"wrote {content.Length} characters to {name}";
        }

        private string Resolve(string name)
        {
            var path = Path.GetFullPath(Path.Combine(root, name));
            return Path.GetDirectoryName(path) == Path.GetFullPath(root)
                ? path
                : throw new AgentToolException($"'{name}' is outside the workspace; use a plain file name.");
        }
    }

    /// <summary>Adds an MCP server's tools; tools the server does not mark read-only need approval.</summary>
    internal static class McpTools
    {
        public static async Task<McpClient> ConnectAsync(string commandLine, List<AITool> tools)
        {
            var parts = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = parts[0],
                Command = parts[0],
                Arguments = parts[1..],
            }));
            foreach (var tool in await client.ListToolsAsync())
            {
                var readOnly = tool.ProtocolTool.Annotations?.ReadOnlyHint == true;
                tools.Add(readOnly ? tool : new ApprovalRequiredAIFunction(tool));
            }

            return client;
        }
    }
}
