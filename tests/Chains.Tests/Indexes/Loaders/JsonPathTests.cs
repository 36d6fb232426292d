using System.Text.Json.Nodes;
using Chains.Indexes.Loaders;

namespace Chains.Tests.Indexes.Loaders;

public sealed class JsonPathTests
{
    private static readonly JsonNode Root = JsonNode.Parse("""{ "a": [10, 20, 30], "odd key": { "x": 1, "y": 2 } }""")!;

    [Theory]
    [InlineData("$.a[-1]", "$.a[2]")]
    [InlineData("$['odd key'].y", "$['odd key'].y")]
    [InlineData("$[\"odd key\"][*]", "$['odd key'].x|$['odd key'].y")]
    [InlineData("$.a.*", "$.a[0]|$.a[1]|$.a[2]")]
    [InlineData("$..x", "$['odd key'].x")]
    [InlineData("$.missing", "")]
    public void Select_Path_ReturnsConcretePathsInDocumentOrder(string path, string expected)
    {
        var selected = JsonPath.Parse(path).Select(Root, "$").Select(s => s.Path);

        Assert.Equal(expected, string.Join('|', selected));
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("$.")]
    [InlineData("$[1")]
    [InlineData("$.[0]")]
    [InlineData("$x")]
    public void Parse_Malformed_Throws(string path)
    {
        Assert.Throws<ArgumentException>(() => JsonPath.Parse(path));
    }
}
