using System.Text.Json;
using Chains.Agents;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;

namespace Chains.McpTestServer;

/// <summary>What the <c>agent</c> mode prints: the tools as the client saw them and the agent run over them.</summary>
internal sealed record AgentSummary(
    IReadOnlyList<ToolSummary> Tools,
    string StopReason,
    string Text,
    IReadOnlyList<IReadOnlyList<CallSummary>> Steps,
    IReadOnlyList<string> ApprovalsAsked,
    IReadOnlyList<string> SeenByModel);

internal sealed record ToolSummary(string Name, string Description, bool RequiresApproval, string Schema);

internal sealed record CallSummary(string Name, string Status, string? Result);

/// <summary>Connects to the test server through the ModelContextProtocol client, makes its tools agent tools (tools the
/// server does not mark read-only need approval) and runs an <see cref="AgentExecutor"/> with a scripted model.</summary>
internal static class AgentOverMcp
{
    public static async Task<AgentSummary> RunAsync((string Command, string[] Arguments) server)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "chains-test",
            Command = server.Command,
            Arguments = server.Arguments,
        });
        await using var client = await McpClient.CreateAsync(transport);
        var listed = await client.ListToolsAsync();
        var tools = new List<AITool>();
        var summaries = new List<ToolSummary>();
        foreach (var tool in listed)
        {
            // MCP's destructiveHint defaults to true for tools not marked read-only.
            var needsApproval = tool.ProtocolTool.Annotations?.ReadOnlyHint != true && tool.ProtocolTool.Annotations?.DestructiveHint != false;
            tools.Add(needsApproval ? new ApprovalRequiredAIFunction(tool) : tool);
            summaries.Add(new ToolSummary(tool.Name, tool.Description, needsApproval, tool.JsonSchema.GetRawText()));
        }

        var approvals = new List<string>();
        var model = new ScriptedModel();
        var agent = new AgentExecutor(model, tools, new AgentExecutorOptions
        {
            ApprovalCallback = (request, _) =>
            {
                approvals.Add($"{request.ToolName}:{JsonSerializer.Serialize(request.Arguments)}");
                return ValueTask.FromResult(ToolApprovalDecision.Reject("notes are read-only today"));
            },
        });
        var result = await agent.InvokeAsync("Add 2 and 3, try the failing tool, echo something, then save a note.");
        var steps = result.Steps
            .Select(s => (IReadOnlyList<CallSummary>)[.. s.ToolCalls.Select(c => new CallSummary(c.Call.Name, c.Status.ToString(), ResultText(c.Result?.Result)))])
            .ToList();
        return new AgentSummary(summaries, result.StopReason.ToString(), result.Text, steps, approvals, model.Seen);
    }

    internal static string? ResultText(object? result) => result switch
    {
        null => null,
        string s => s,
        TextContent t => t.Text,
        JsonElement e => e.GetRawText(),
        _ => result.ToString(),
    };

    /// <summary>A model that follows a script: three tools at once, then a note, then an answer built from what it saw.</summary>
    private sealed class ScriptedModel : IChatClient
    {
        private int _turn;

        public List<string> Seen { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            foreach (var result in list[^1].Contents.OfType<FunctionResultContent>())
            {
                Seen.Add($"{result.CallId}={ResultText(result.Result)}");
            }

            var turn = ++_turn;
            ChatMessage reply = turn switch
            {
                1 => new ChatMessage(ChatRole.Assistant,
                [
                    new FunctionCallContent("c1", "add", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 3 }),
                    new FunctionCallContent("c2", "fail", new Dictionary<string, object?> { ["message"] = "disk full" }),
                    new FunctionCallContent("c3", "echo", new Dictionary<string, object?> { ["text"] = "héllo" }),
                ]),
                2 => new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c4", "write_note", new Dictionary<string, object?> { ["text"] = "remember" })]),
                _ => new ChatMessage(ChatRole.Assistant, $"done after {Seen.Count} results"),
            };
            return Task.FromResult(new ChatResponse(reply) { FinishReason = turn < 3 ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
