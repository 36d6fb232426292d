using System.Text.Json;
using Chains.LLamaSharp.Chat;
using Chains.LLamaSharp.Tests.Support;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Tests.Chat;

public sealed class ToolCallsTests
{
    private static readonly AIFunction Weather = new SchemaFunction("get_weather", """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""", _ => "sunny");

    [Fact]
    public void TryParse_TwoCalls_ReturnsNamesAndArguments()
    {
        const string Text = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 2}}\n</tool_call>\n<tool_call>\n{\"name\": \"now\", \"arguments\": {}}\n</tool_call>";

        Assert.True(ToolCalls.TryParse(Text, out var calls));

        Assert.Equal(2, calls.Count);
        Assert.Equal("get_weather", calls[0].Name);
        Assert.Equal("Paris", ((JsonElement)calls[0].Arguments["city"]!).GetString());
        Assert.Equal(2, ((JsonElement)calls[0].Arguments["days"]!).GetInt32());
        Assert.Equal("now", calls[1].Name);
        Assert.Empty(calls[1].Arguments);
    }

    [Theory]
    [InlineData("Just text")]
    [InlineData("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Par")]
    [InlineData("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n")]
    [InlineData("<tool_call>\n{\"arguments\": {}}\n</tool_call>")]
    [InlineData("<tool_call>\n{\"name\": \"x\", \"arguments\": [1]}\n</tool_call>")]
    [InlineData("<tool_call>\n{\"name\": \"x\", \"arguments\": {}}\n</tool_call> and some text")]
    public void TryParse_NotOnlyCompleteCalls_ReturnsFalse(string text) => Assert.False(ToolCalls.TryParse(text, out _));

    [Fact]
    public void FormatCallAndResult_RoundTripThroughTryParse()
    {
        var call = new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Zürich", ["days"] = 3 });

        var text = ToolCalls.FormatCall(call);

        Assert.Equal("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Zürich\",\"days\":3}}\n</tool_call>", text);
        Assert.True(ToolCalls.TryParse(text, out var parsed));
        Assert.Equal("Zürich", ((JsonElement)parsed[0].Arguments["city"]!).GetString());
        Assert.Equal("<tool_response>\nsunny\n</tool_response>", ToolCalls.FormatResult(new FunctionResultContent("c1", "sunny")));
        Assert.Equal("<tool_response>\n{\"t\":21}\n</tool_response>", ToolCalls.FormatResult(new FunctionResultContent("c1", new Dictionary<string, int> { ["t"] = 21 })));
        Assert.Equal("<tool_response>\nError: boom\n</tool_response>", ToolCalls.FormatResult(new FunctionResultContent("c1", null) { Exception = new InvalidOperationException("boom") }));
    }

    [Fact]
    public void Grammar_AutoRequiredAndJson_AreValidAndShapedAsExpected()
    {
        var auto = GbnfGrammar.Parse(ToolCalls.Grammar([Weather], required: false, multiple: true, responseFormat: null)).Text;
        var required = GbnfGrammar.Parse(ToolCalls.Grammar([Weather], required: true, multiple: false, responseFormat: null)).Text;
        var json = GbnfGrammar.Parse(ToolCalls.Grammar([Weather], required: false, multiple: true, responseFormat: ChatResponseFormat.Json)).Text;

        Assert.Contains("root ::= tool-calls | text", auto, StringComparison.Ordinal);
        Assert.Contains("tool-calls ::= tool-call ( \"\\n\" tool-call ){0,7}", auto, StringComparison.Ordinal);
        Assert.Contains("root ::= tool-calls\n", required, StringComparison.Ordinal);
        Assert.Contains("tool-calls ::= tool-call\n", required, StringComparison.Ordinal);
        Assert.Contains("root ::= tool-calls | object", json, StringComparison.Ordinal);
        Assert.Contains("\"<tool_call>\\n{\\\"name\\\": \\\"get_weather\\\", \\\"arguments\\\": \" args-get-weather", auto, StringComparison.Ordinal);
    }

    [Fact]
    public void CouldBeCall_Prefixes_AreRecognised()
    {
        Assert.True(ToolCalls.CouldBeCall("<tool"));
        Assert.True(ToolCalls.CouldBeCall("<tool_call>\n{"));
        Assert.False(ToolCalls.CouldBeCall("<b>"));
        Assert.False(ToolCalls.CouldBeCall("Sure"));
    }

    [Fact]
    public void Instructions_ListEveryToolWithItsSchema()
    {
        var text = ToolCalls.Instructions([Weather]);

        Assert.Contains("<tools>\n{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"The get_weather tool.\",\"parameters\":{\"type\":\"object\"", text, StringComparison.Ordinal);
        Assert.EndsWith("</tool_call>", text, StringComparison.Ordinal);
    }
}
