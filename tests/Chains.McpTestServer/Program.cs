// Test host for the agent tests (see Chains.McpTestServer.csproj): an MCP stdio server, an MCP client that runs an agent
// over it, and a graph that can be killed mid-run.
using System.Text.Json;
using Chains.Agents.Graph;
using Chains.McpTestServer;
using Chains.Tests.Agents.Graph;

var mode = args.Length > 0 ? args[0] : "serve";
switch (mode)
{
    case "serve":
        await TestMcpServer.RunAsync();
        return 0;

    case "agent":
        var summary = await AgentOverMcp.RunAsync(HostCommand("serve"));
        Console.WriteLine(JsonSerializer.Serialize(summary, JsonSerializerOptions.Web));
        return 0;

    case "graph" when args.Length == 4:
        // The test kills this process while NODE hangs, then resumes the thread from the files in DIR.
        var store = new ReportingStore(new FileCheckpointStore(args[1]));
        var hangAt = args[3];
        var graph = CrashTestGraph.Build(new StateGraphOptions { CheckpointStore = store }, async (node, ct) =>
        {
            if (node == hangAt)
            {
                Console.WriteLine($"hanging in {node}");
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
        });
        var result = await graph.RunAsync(CrashState.Empty, args[2]);
        Console.WriteLine($"finished {result.Status}");
        return 0;

    default:
        await Console.Error.WriteLineAsync("usage: Chains.McpTestServer [serve | agent | graph DIR THREAD NODE]");
        return 2;
}

// How to start this host again as a child process (through the apphost or `dotnet host.dll`).
static (string Command, string[] Arguments) HostCommand(string mode)
{
    var processPath = Environment.ProcessPath!;
    var assembly = typeof(TestMcpServer).Assembly.Location;
    return Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
        ? (processPath, [assembly, mode])
        : (processPath, [mode]);
}

/// <summary>Reports every saved checkpoint on stdout, so the test knows how far the run got.</summary>
internal sealed class ReportingStore(ICheckpointStore inner) : ICheckpointStore
{
    public async ValueTask SaveAsync(GraphCheckpoint checkpoint, CheckpointRetention retention, CancellationToken cancellationToken = default)
    {
        await inner.SaveAsync(checkpoint, retention, cancellationToken);
        Console.WriteLine($"checkpoint {checkpoint.Step} next={string.Join(',', checkpoint.NextNodes)}");
    }

    public ValueTask<GraphCheckpoint?> GetAsync(string threadId, long? step = null, CancellationToken cancellationToken = default)
        => inner.GetAsync(threadId, step, cancellationToken);

    public IAsyncEnumerable<GraphCheckpoint> ListAsync(string threadId, CancellationToken cancellationToken = default)
        => inner.ListAsync(threadId, cancellationToken);

    public ValueTask<int> DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default)
        => inner.DeleteThreadAsync(threadId, cancellationToken);
}
