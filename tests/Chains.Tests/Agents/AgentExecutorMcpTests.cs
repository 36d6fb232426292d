using System.Text.Json;

namespace Chains.Tests.Agents;

/// <summary>
/// An <see cref="Chains.Agents.AgentExecutor"/> over tools of a real MCP server, through the ModelContextProtocol 2.4.0
/// client and stdio: tests/Chains.McpTestServer in <c>agent</c> mode starts itself in <c>serve</c> mode, lists the tools,
/// marks the ones the server does not declare read-only as needing approval, runs a scripted model over them and prints
/// what happened.
/// </summary>
public sealed class AgentExecutorMcpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Lazy<Task<JsonElement>> Run = new(async () =>
    {
        var (exitCode, output, error) = await TestHost.RunAsync(TimeSpan.FromMinutes(2), CancellationToken.None, "agent");
        Assert.True(exitCode == 0, $"The MCP test host failed ({exitCode}): {error}");
        return JsonElement.Parse(output);
    });

    [Fact]
    public async Task McpTools_ListedThroughTheClient_AreAgentToolsWithSchemasAndApprovalFromAnnotations()
    {
        var summary = await Run.Value.WaitAsync(Ct);

        var tools = summary.GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal(["add", "echo", "fail", "write_note"], tools.Keys.Order());
        Assert.Equal("Adds two integers.", tools["add"].GetProperty("description").GetString());
        Assert.Contains("\"required\":[\"a\",\"b\"]", tools["add"].GetProperty("schema").GetString(), StringComparison.Ordinal);
        Assert.False(tools["add"].GetProperty("requiresApproval").GetBoolean());
        Assert.True(tools["write_note"].GetProperty("requiresApproval").GetBoolean());
    }

    [Fact]
    public async Task McpTools_ParallelCalls_ResultsAndServerErrorReachTheModelInCallOrder()
    {
        var summary = await Run.Value.WaitAsync(Ct);

        var first = summary.GetProperty("steps")[0].EnumerateArray().Select(c => (c.GetProperty("name").GetString(), c.GetProperty("status").GetString(), c.GetProperty("result").GetString())).ToList();
        Assert.Equal(("add", "Succeeded", "5"), first[0]);
        Assert.Equal("fail", first[1].Item1);
        Assert.Equal("Failed", first[1].Item2);
        Assert.Contains("disk full", first[1].Item3, StringComparison.Ordinal);
        Assert.Equal(("echo", "Succeeded", "héllo"), first[2]);
        var seen = summary.GetProperty("seenByModel").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Equal("c1=5", seen[0]);
        Assert.StartsWith("c2=Error:", seen[1], StringComparison.Ordinal);
        Assert.Equal("c3=héllo", seen[2]);
    }

    [Fact]
    public async Task McpTools_DestructiveTool_AskedForApprovalAndRejectionReachesTheModel()
    {
        var summary = await Run.Value.WaitAsync(Ct);

        Assert.Equal("write_note:{\"text\":\"remember\"}", Assert.Single(summary.GetProperty("approvalsAsked").EnumerateArray()).GetString());
        var note = summary.GetProperty("steps")[1][0];
        Assert.Equal("Rejected", note.GetProperty("status").GetString());
        Assert.Equal("The user rejected this call to 'write_note': notes are read-only today", note.GetProperty("result").GetString());
        Assert.Equal("Completed", summary.GetProperty("stopReason").GetString());
        Assert.Equal("done after 4 results", summary.GetProperty("text").GetString());
    }
}
