// The code of docs/concepts/agents.md, compiled and run by tests/Chains.Docs.Tests.
using Chains.Agents;
using Chains.Agents.Graph;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Snippets;

// <snippet:agents-types>
public sealed record Draft(string Topic, string? Text = null, bool Published = false);
// </snippet:agents-types>

/// <summary>The agents page: a tool-calling executor with approval, and a checkpointed state graph.</summary>
public static class AgentsSnippets
{
    /// <summary>An agent with a free tool and a tool that needs approval.</summary>
    public static async Task<AgentResult> ExecutorAsync(IChatClient client)
    {
        // <snippet:agents-executor>
        AIFunction weather = AIFunctionFactory.Create(
            (string city) => city == "北京" ? "晴，25°C" : $"no forecast for {city}",
            "get_weather",
            "Gets today's weather for a city.");

        // Calls to this tool wait for the approval callback: approve, reject with a reason, or edit the arguments.
        AIFunction book = new ApprovalRequiredAIFunction(AIFunctionFactory.Create(
            (string city, string day) => $"Booked a table in {city} for {day}.",
            "book_table",
            "Books a restaurant table."));

        var agent = new AgentExecutor(client, [weather, book], new AgentExecutorOptions
        {
            Instructions = "You are a travel assistant. Use the tools.",
            MaxIterations = 8,
            MaxWallTime = TimeSpan.FromMinutes(2),
            ApprovalCallback = (request, cancellationToken) =>
            {
                Console.WriteLine($"approve {request.ToolName}({string.Join(", ", request.Arguments ?? new Dictionary<string, object?>())})? yes");
                return ValueTask.FromResult(ToolApprovalDecision.Approve());
            },
        });

        AgentResult result = await agent.InvokeAsync("北京今天天气怎么样？如果是晴天，帮我订明天的餐厅。");
        Console.WriteLine($"{result.StopReason} after {result.Iterations} model calls: {result.Text}");
        // </snippet:agents-executor>
        return result;
    }

    /// <summary>A graph that pauses before publishing and resumes from its checkpoint.</summary>
    public static async Task<(GraphRunResult<Draft> Paused, GraphRunResult<Draft> Done)> StateGraphAsync()
    {
        // <snippet:agents-state-graph>
        var checkpoints = new InMemoryCheckpointStore();   // FileCheckpointStore survives a restart

        CompiledStateGraph<Draft> graph = new StateGraph<Draft>()
            .AddNode("write", d => d with { Text = $"关于{d.Topic}的短文（草稿）" })
            .AddNode("publish", d => d with { Published = true })
            .AddEdge(StateGraph.Start, "write")
            .AddConditionalEdge("write", d => string.IsNullOrEmpty(d.Text) ? StateGraph.End : "publish")
            .AddEdge("publish", StateGraph.End)
            .Compile(new StateGraphOptions
            {
                CheckpointStore = checkpoints,   // a checkpoint after every step
                InterruptBefore = ["publish"],   // a human looks at the draft first
            });

        GraphRunResult<Draft> paused = await graph.RunAsync(new Draft("长城"), threadId: "post-42");
        Console.WriteLine($"{paused.Status} before {string.Join(", ", paused.NextNodes)}: {paused.State.Text}");

        // Later, even in another process: edit the state and go on from the checkpoint.
        GraphRunResult<Draft> done = await graph.ResumeAsync("post-42", d => d with { Text = d.Text!.Replace("（草稿）", "", StringComparison.Ordinal) });
        Console.WriteLine($"{done.Status}: {done.State.Text}, published: {done.State.Published}");
        // </snippet:agents-state-graph>
        return (paused, done);
    }
}
