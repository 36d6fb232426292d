using Chains.Parsing;

namespace Chains.Tests.Parsing;

public class PartialJsonTests
{
    [Theory]
    [InlineData("{\"name\": \"张", "{\"name\":\"张\"}")]
    [InlineData("{\"name\": \"张三\", \"age\": 3", "{\"name\":\"张三\",\"age\":3}")]
    [InlineData("{\"a\": 1, ", "{\"a\":1}")]
    [InlineData("{\"a\": 1, \"b", "{\"a\":1}")]
    [InlineData("{\"a\": 1, \"b\"", "{\"a\":1}")]
    [InlineData("{\"a\": 1, \"b\":", "{\"a\":1}")]
    [InlineData("{\"a\": -", "{}")]
    [InlineData("{\"a\": 1.", "{\"a\":1}")]
    [InlineData("{\"a\": 1e", "{\"a\":1}")]
    [InlineData("{\"a\": nu", "{}")]
    [InlineData("{\"a\": null", "{\"a\":null}")]
    [InlineData("{\"a\": [tr", "{\"a\":[]}")]
    [InlineData("[1, [2, {\"x\": \"y\\", "[1,[2,{\"x\":\"y\"}]]")]
    [InlineData("{\"s\": \"a\\u4e", "{\"s\":\"a\"}")]
    [InlineData("{\"s\": \"\\ud83d", "{\"s\":\"\"}")]
    [InlineData("{\"s\": \"\\ud83d\\ude00", "{\"s\":\"\\ud83d\\ude00\"}")]
    [InlineData("{\"s\": \"x\\\\", "{\"s\":\"x\\\\\"}")]
    [InlineData("{", "{}")]
    [InlineData("[", "[]")]
    [InlineData("Sure! Here it is: {\"a\": [1, 2", "{\"a\":[1,2]}")]
    [InlineData("根据[资料]，结果：{\"城市\": \"北", "{\"城市\":\"北\"}")]
    [InlineData("```json\n{\"a\": 1", "{\"a\":1}")]
    [InlineData("{\"text\": \"第一行\n第二", "{\"text\":\"第一行\\n第二\"}")]
    public void TryParsePartial_CutOffJson_CompletesIt(string text, string expected)
    {
        Assert.True(new PartialJson().TryParsePartial(text, out var element));

        Assert.Equal(expected, element.GetRawText());
    }

    [Theory]
    [InlineData("")]
    [InlineData("没有 JSON")]
    [InlineData("{oops")]
    [InlineData("[see below]")]
    public void TryParsePartial_NoJson_ReturnsFalse(string text)
        => Assert.False(new PartialJson().TryParsePartial(text, out _));

    [Fact]
    public void TryParseComplete_CutOff_ReportsTruncated()
    {
        var status = new PartialJson().TryParseComplete("{\"a\": [1, 2", out _, out var error);

        Assert.Equal(PartialJson.Status.Truncated, status);
        Assert.Contains("incomplete", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseComplete_ProseAndFence_FindsJsonInFence()
    {
        var status = new PartialJson().TryParseComplete("Use [1] as shown:\n```json\n{\"a\": [1, 2,],}\n```\nDone.", out var element, out _);

        Assert.Equal(PartialJson.Status.Complete, status);
        Assert.Equal(2, element.GetProperty("a").GetArrayLength());
    }

    [Fact]
    public void TryParseComplete_NoCandidate_ReportsNotFound()
        => Assert.Equal(PartialJson.Status.NotFound, new PartialJson().TryParseComplete("just words", out _, out _));
}
