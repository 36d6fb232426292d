using Chains.Agents;
using Chains.Agents.Graph;
using Chains.Docs.Snippets;
using Chains.Docs.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Tests.Snippets;

public sealed class AgentsSnippetsTests
{
    /// <summary>
    /// Plays a tool-calling model: asks for the weather, books a table once it has the weather, then answers with what
    /// the tools returned.
    /// </summary>
    private static TestChatClient TravelModel() => new((messages, options) =>
    {
        var results = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().ToList();
        Assert.Equal(["get_weather", "book_table"], options!.Tools!.Select(t => t.Name));
        return results.Count switch
        {
            0 => TestChatClient.CallTools(new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "北京" })),
            1 => TestChatClient.CallTools(new FunctionCallContent("c2", "book_table", new Dictionary<string, object?> { ["city"] = "北京", ["day"] = "明天" })),
            _ => TestChatClient.Reply($"北京今天{results[0].Result}。{results[1].Result}"),
        };
    });

    [Fact]
    public async Task Executor_RunsTheToolAsksApprovalForTheBookingAndAnswersWithTheResults()
    {
        var model = TravelModel();

        var result = await AgentsSnippets.ExecutorAsync(model);

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        Assert.Equal(3, result.Iterations);
        Assert.Equal("北京今天晴，25°C。Booked a table in 北京 for 明天.", result.Text);
        var booking = Assert.Single(result.Steps[1].ToolCalls);
        Assert.Equal(AgentToolCallStatus.Succeeded, booking.Status);
        Assert.Equal(ToolApprovalKind.Approved, booking.Approval!.Kind);
        Assert.Null(Assert.Single(result.Steps[0].ToolCalls).Approval);
        Assert.Equal(ChatRole.System, model.Sent[0][0].Role);
        Assert.Contains("approve book_table([city, 北京], [day, 明天])? yes", Output.Current);
    }

    [Fact]
    public async Task StateGraph_PausesBeforePublishAndResumesFromTheCheckpoint()
    {
        var (paused, done) = await AgentsSnippets.StateGraphAsync();

        Assert.Equal(GraphStatus.Interrupted, paused.Status);
        Assert.Equal(["publish"], paused.NextNodes);
        Assert.Equal("关于长城的短文（草稿）", paused.State.Text);
        Assert.False(paused.State.Published);
        Assert.Equal(GraphStatus.Completed, done.Status);
        Assert.Equal(new Draft("长城", "关于长城的短文", Published: true), done.State);
        Assert.Equal("post-42", done.ThreadId);
    }
}
