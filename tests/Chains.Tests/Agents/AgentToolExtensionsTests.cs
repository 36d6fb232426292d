using System.Text.Json;
using Chains.Agents;
using Chains.Indexes;
using Chains.Runnables;
using Microsoft.Extensions.AI;
using static Chains.Tests.Agents.Script;

namespace Chains.Tests.Agents;

public sealed class AgentToolExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record Lookup(string Term, int Limit = 3);

    [Fact]
    public async Task AsTool_RecordInput_PropertiesBecomeParametersAndArgumentsBind()
    {
        var tool = Runnable.Lambda((Lookup q) => $"{q.Term}×{q.Limit}").AsTool("lookup", "Looks a term up.");

        var properties = tool.JsonSchema.GetProperty("properties");
        Assert.Equal("string", properties.GetProperty("term").GetProperty("type").GetString());
        Assert.Equal("integer", properties.GetProperty("limit").GetProperty("type").GetString());
        Assert.Equal("lookup", tool.Name);
        Assert.Equal("Looks a term up.", tool.Description);
        Assert.Equal("cat×5", await tool.InvokeAsync(new AIFunctionArguments { ["term"] = JsonElement.Parse("\"cat\""), ["limit"] = 5 }, Ct));
        Assert.Equal("dog×3", await tool.InvokeAsync(new AIFunctionArguments { ["term"] = "dog" }, Ct));
    }

    [Fact]
    public async Task AsTool_ScalarInput_OneRequiredInputParameter()
    {
        var tool = Runnable.Lambda((int n) => n * n).AsTool("square", "Squares a number.");

        Assert.Equal("input", Assert.Single(tool.JsonSchema.GetProperty("required").EnumerateArray()).GetString());
        Assert.Equal("integer", tool.JsonSchema.GetProperty("properties").GetProperty("input").GetProperty("type").GetString());
        Assert.Equal(49, await tool.InvokeAsync(new AIFunctionArguments { ["input"] = JsonElement.Parse("7") }, Ct));
    }

    [Fact]
    public async Task AsTool_MissingInput_ThrowsArgumentException()
    {
        var tool = Runnable.Lambda((string s) => s).AsTool("echo", "Echoes.");

        await Assert.ThrowsAsync<ArgumentException>(async () => await tool.InvokeAsync(new AIFunctionArguments(), Ct));
    }

    [Fact]
    public async Task AsTool_ChatModelStep_TakesTextAndReturnsTheAnswerText()
    {
        var model = Of(Text("Bonjour"));
        var tool = model.Client.AsRunnable().AsTool("translate", "Translates to French.");

        var result = await tool.InvokeAsync(new AIFunctionArguments { ["input"] = "Hello" }, Ct);

        Assert.Equal("Bonjour", result);
        Assert.Equal("Hello", model.Sent[0][0].Text);
    }

    [Fact]
    public async Task AsTool_CalledByAgent_StepRunsAsChildOfTheToolCall()
    {
        var step = Runnable.Lambda((string s) => s.ToUpperInvariant(), "shout");
        var script = Of(Calls(Call("c1", "shout_tool", ("input", "hi"))), Text("HI"));
        var agent = new AgentExecutor(script.Client, [step.AsTool("shout_tool", "Shouts.")]);

        var events = new List<RunEvent>();
        await foreach (var runEvent in agent.StreamEventsAsync("x", cancellationToken: Ct))
        {
            events.Add(runEvent);
        }

        var toolRun = events.OfType<RunStartedEvent>().Single(e => e.Info.StepKind == StepKinds.Tool);
        var stepRun = events.OfType<RunStartedEvent>().Single(e => e.Name == "shout");
        Assert.Equal(toolRun.RunId, stepRun.ParentRunId);
        Assert.Equal("HI", Results(script.Sent[1])[0].Result);
    }

    [Fact]
    public async Task AsTool_Retriever_QueryParameterAndNumberedPassages()
    {
        var retriever = new ListRetriever(q => [new Document("d1", $"About {q}.", source: "manual.md"), new Document("d2", "More.")]);
        var tool = retriever.AsTool("search_docs", "Searches the manual.");

        var text = await tool.InvokeAsync(new AIFunctionArguments { ["query"] = "pumps" }, Ct);

        Assert.Equal("What to search for.", tool.JsonSchema.GetProperty("properties").GetProperty("query").GetProperty("description").GetString());
        Assert.Equal("[1] manual.md (d1)\nAbout pumps.\n\n[2] d2\nMore.", text);
    }

    [Fact]
    public async Task AsTool_RetrieverCustomFormat_Used()
    {
        var tool = new ListRetriever(_ => [new Document("d1", "x")]).AsTool("s", "d", docs => $"{docs.Count} hit(s)");

        Assert.Equal("1 hit(s)", await tool.InvokeAsync(new AIFunctionArguments { ["query"] = "q" }, Ct));
    }

    [Fact]
    public void FormatDocuments_None_SaysNoneFound()
        => Assert.Equal("No documents found.", AgentToolExtensions.FormatDocuments([]));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void AsTool_InvalidName_ThrowsNamingIt(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => Runnable.Lambda((string s) => s).AsTool(name, "d"));

        Assert.Equal("name", error.ParamName);
    }

    private sealed class ListRetriever(Func<string, IReadOnlyList<Document>> find) : Retriever
    {
        protected internal override ValueTask<IReadOnlyList<Document>> InvokeCoreAsync(string input, RunContext context, CancellationToken cancellationToken)
            => ValueTask.FromResult(find(input));
    }
}
