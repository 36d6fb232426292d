// Agent sample: a tool-calling agent whose risky tool asks for approval on the console, streamed step by step.
// Runs on any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM, llama.cpp server, Ollama), on a local GGUF file
// with --model, and can add the tools of an MCP server with --mcp.
using System.ClientModel;
using System.ComponentModel;
using System.Text.Json;
using AgentSample;
using Chains.Agents;
using Chains.LLamaSharp;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;
using OpenAI;

Console.OutputEncoding = System.Text.Encoding.UTF8;

string? modelPath = null;
string? mcpCommand = null;
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
        default:
            question.Add(args[i]);
            break;
    }
}

using var model = ModelSetup.Create(modelPath);
if (model is null)
{
    return 2;
}

// Tools: plain C# methods. Writing a file changes the machine, so it needs approval.
var workspace = Path.Combine(Path.GetTempPath(), "chains-agent-sample");
Directory.CreateDirectory(workspace);
var files = new WorkspaceTools(workspace);
var tools = new List<AITool>
{
    AIFunctionFactory.Create(WorkspaceTools.Now, "now"),
    AIFunctionFactory.Create(files.ListFiles, "list_files"),
    AIFunctionFactory.Create(files.ReadFile, "read_file"),
    new ApprovalRequiredAIFunction(AIFunctionFactory.Create(files.WriteFile, "write_file")),
};

await using var mcp = mcpCommand is null ? null : await McpTools.ConnectAsync(mcpCommand, tools);

var agent = new AgentExecutor(model.Client, tools, new AgentExecutorOptions
{
    Instructions = $"You are a careful assistant working in the folder {workspace}. Use the tools; keep answers short.",
    MaxIterations = 8,
    MaxTotalTokens = 50_000,
    MaxWallTime = TimeSpan.FromMinutes(3),
    ApprovalCallback = ConsoleApproval.AskAsync,
});

var text = question.Count > 0 ? string.Join(' ', question) : "What time is it? Then write it into a file named time.txt and list the files.";
Console.WriteLine($"> {text}\n");
AgentResult? result = null;
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
        private readonly IDisposable? _owner;

        private ModelSetup(IChatClient client, IDisposable? owner)
        {
            Client = client;
            _owner = owner;
        }

        public IChatClient Client { get; }

        public static ModelSetup? Create(string? modelPath)
        {
            if (modelPath is not null)
            {
                if (!File.Exists(modelPath))
                {
                    Console.Error.WriteLine($"No GGUF file at '{modelPath}'.");
                    return null;
                }

                // Grammar-constrained tool calls on the local model (Chains.LLamaSharp, CPU backend).
                var local = LlamaModel.Load(modelPath);
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
            _owner?.Dispose();
        }
    }

    /// <summary>Asks on the console: approve, reject with a reason, or edit the arguments as JSON.</summary>
    internal static class ConsoleApproval
    {
        public static async ValueTask<ToolApprovalDecision> AskAsync(ToolApprovalRequest request, CancellationToken cancellationToken)
        {
            if (Console.IsInputRedirected)
            {
                return ToolApprovalDecision.Reject("nobody is at the console to approve it");
            }

            Console.ForegroundColor = ConsoleColor.Yellow;
            Console.WriteLine($"\n? The agent wants to run {request.ToolName}({JsonSerializer.Serialize(request.Arguments)})");
            Console.Write("  [y]es / [n]o / [e]dit arguments: ");
            Console.ResetColor();
            var answer = (await ReadLineAsync(cancellationToken))?.Trim().ToLowerInvariant();
            switch (answer)
            {
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

    /// <summary>File tools confined to one folder.</summary>
    internal sealed class WorkspaceTools(string root)
    {
        [Description("Gets the current date and time (UTC, ISO 8601).")]
        public static string Now() => TimeProvider.System.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);

        [Description("Lists the files of the workspace.")]
        public string[] ListFiles() => [.. Directory.EnumerateFiles(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

        [Description("Reads a file of the workspace.")]
        public string ReadFile([Description("The file name, e.g. notes.txt.")] string name) => File.ReadAllText(Resolve(name));

        [Description("Writes (replaces) a file of the workspace.")]
        public string WriteFile([Description("The file name, e.g. notes.txt.")] string name, [Description("The full new content.")] string content)
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
