using System.Text.Json;
using Chains.Agents;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Agents;

public sealed class ReActParserTests
{
    private static readonly Dictionary<string, AIFunctionDeclaration> Tools = new AIFunction[]
    {
        AIFunctionFactory.Create((string query) => query, "search", "Searches the web."),
        AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds."),
        AIFunctionFactory.Create(() => "now", "clock", "Tells the time."),
    }.ToDictionary(t => t.Name, t => (AIFunctionDeclaration)t);

    private static ReActStep Parse(string text) => ReActParser.Parse(text, Tools);

    private static string Arg(ReActStep step, string name) => step.Arguments![name] switch
    {
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        JsonElement e => e.GetRawText(),
        var other => other?.ToString()!,
    };

    [Fact]
    public void Parse_ThoughtActionInput_ActionWithArgumentsAndThought()
    {
        var step = Parse("Thought: I need the sum.\nAction: add\nAction Input: {\"a\": 2, \"b\": 3}");

        Assert.Equal(ReActStepKind.Action, step.Kind);
        Assert.Equal("I need the sum.", step.Thought);
        Assert.Equal("add", step.ToolName);
        Assert.Equal("2", Arg(step, "a"));
        Assert.Equal("3", Arg(step, "b"));
    }

    [Fact]
    public void Parse_FinalAnswer_AnswerAndThought()
    {
        var step = Parse("Thought: I know it now.\nFinal Answer: Paris is the capital.\nIt has 2M people.");

        Assert.Equal(ReActStepKind.FinalAnswer, step.Kind);
        Assert.Equal("I know it now.", step.Thought);
        Assert.Equal("Paris is the capital.\nIt has 2M people.", step.Answer);
    }

    [Theory]
    [InlineData("**Action:** search\n**Action Input:** {\"query\": \"x\"}")]
    [InlineData("action: search\naction input: {\"query\": \"x\"}")]
    [InlineData("Action: `search`\nAction Input: {\"query\": \"x\"}")]
    [InlineData("Action: [search]\nAction Input: {\"query\": \"x\"}")]
    [InlineData("- Action: search\n- Action_Input: {\"query\": \"x\"}")]
    [InlineData("Action: search\nAction Input:\n```json\n{\"query\": \"x\"}\n```")]
    [InlineData("Action: search\nAction Input: {\"query\": \"x\"} (searching now)")]
    [InlineData("Action: search\nAction Input: x")]
    [InlineData("Action: search\nAction Input: \"x\"")]
    public void Parse_LabelAndInputVariants_Tolerated(string text)
    {
        var step = Parse(text);

        Assert.Equal(ReActStepKind.Action, step.Kind);
        Assert.Equal("search", step.ToolName);
        Assert.Equal("x", Arg(step, "query"));
    }

    [Fact]
    public void Parse_HallucinatedObservation_EverythingAfterItIgnored()
    {
        var step = Parse("Action: add\nAction Input: {\"a\":1,\"b\":1}\nObservation: 2\nThought: done\nFinal Answer: 2");

        Assert.Equal(ReActStepKind.Action, step.Kind);
        Assert.Equal("add", step.ToolName);
    }

    [Fact]
    public void Parse_ActionInputFollowedByAnotherLabel_InputStopsThere()
    {
        var step = Parse("Action: search\nAction Input: cats\nThought: then I answer");

        Assert.Equal("cats", Arg(step, "query"));
    }

    [Fact]
    public void Parse_FinalAnswerBeforeAction_FinalAnswerWins()
    {
        var step = Parse("Final Answer: 42\nAction: search");

        Assert.Equal(ReActStepKind.FinalAnswer, step.Kind);
        Assert.Equal("42\nAction: search", step.Answer);
    }

    [Fact]
    public void Parse_NoArgumentTool_NoInputNeeded()
    {
        var step = Parse("Thought: what time is it\nAction: clock");

        Assert.Equal(ReActStepKind.Action, step.Kind);
        Assert.Empty(step.Arguments!);
    }

    [Fact]
    public void Parse_JsonBlobAction_Accepted()
    {
        var step = Parse("Thought: search it\n```json\n{\"action\": \"search\", \"action_input\": \"dogs\"}\n```");

        Assert.Equal(ReActStepKind.Action, step.Kind);
        Assert.Equal("search", step.ToolName);
        Assert.Equal("dogs", Arg(step, "query"));
    }

    [Fact]
    public void Parse_JsonBlobFinalAnswer_Accepted()
    {
        var step = Parse("{\"action\": \"Final Answer\", \"action_input\": \"It is 5.\"}");

        Assert.Equal(ReActStepKind.FinalAnswer, step.Kind);
        Assert.Equal("It is 5.", step.Answer);
    }

    [Fact]
    public void Parse_NoLabels_MalformedWithFormatHelpNamingTools()
    {
        var step = Parse("I think the answer is five.");

        Assert.Equal(ReActStepKind.Malformed, step.Kind);
        Assert.StartsWith("Invalid format: the reply has neither an 'Action:' line nor a 'Final Answer:' line.", step.Error, StringComparison.Ordinal);
        Assert.Contains("one of [search, add, clock]", step.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ActionWithoutName_Malformed()
        => Assert.Contains("must be followed by a tool name", Parse("Action:\nAction Input: {}").Error, StringComparison.Ordinal);

    [Fact]
    public void Parse_RequiredArgumentsWithoutInputLine_Malformed()
        => Assert.Contains("'Action: add' must be followed by an 'Action Input:' line", Parse("Action: add").Error, StringComparison.Ordinal);

    [Fact]
    public void Parse_BareValueForSeveralParameters_MalformedWithExample()
    {
        var step = Parse("Action: add\nAction Input: 2 and 3");

        Assert.Equal(ReActStepKind.Malformed, step.Kind);
        Assert.Contains("must be a JSON object such as {\"a\": ..., \"b\": ...}", step.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownTool_ActionLeftForTheExecutorToReport()
    {
        var step = Parse("Action: teleport\nAction Input: mars");

        Assert.Equal(ReActStepKind.Action, step.Kind);
        Assert.Equal("teleport", step.ToolName);
    }

    [Fact]
    public void Instructions_ListEveryToolWithSchemaAndTheFormat()
    {
        var text = ReActParser.Instructions(Tools.Values);

        Assert.Contains("- search: Searches the web.", text, StringComparison.Ordinal);
        Assert.Contains("\"query\"", text, StringComparison.Ordinal);
        Assert.Contains("Final Answer:", text, StringComparison.Ordinal);
        Assert.Contains("Action Input:", text, StringComparison.Ordinal);
    }
}
