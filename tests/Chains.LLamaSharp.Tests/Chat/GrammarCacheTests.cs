using System.Text.Json;
using Chains.LLamaSharp.Chat;
using Chains.LLamaSharp.Tests.Support;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Tests.Chat;

public sealed class GrammarCacheTests
{
    private const string Schema = """{"type":"object","properties":{"city":{"type":"string","maxLength":8}},"required":["city"]}""";

    [Fact]
    public void GetOrAdd_SameKeyTwice_BuildsOnce()
    {
        var key = "test " + Guid.NewGuid();
        var builds = 0;

        var first = GrammarCache.GetOrAdd(key, () => $"root ::= \"{++builds}\"");
        var second = GrammarCache.GetOrAdd(key, () => $"root ::= \"{++builds}\"");

        Assert.Equal(1, builds);
        Assert.Equal(first, second);
    }

    [Fact]
    public void GetOrAdd_BuildThrows_NothingIsCachedAndTheNextRequestBuildsAgain()
    {
        var key = "test " + Guid.NewGuid();

        Assert.Throws<NotSupportedException>(() => GrammarCache.GetOrAdd(key, () => throw new NotSupportedException("pattern")));
        var grammar = GrammarCache.GetOrAdd(key, () => "root ::= \"ok\"");

        Assert.Equal("root ::= \"ok\"", grammar);
    }

    [Fact]
    public void ToolsKey_AnyInputChanges_KeyChanges()
    {
        var tool = new SchemaFunction("echo", Schema, a => a["city"]);
        var wider = new SchemaFunction("echo", Schema.Replace("8", "9", StringComparison.Ordinal), a => a["city"]);
        var renamed = new SchemaFunction("echo2", Schema, a => a["city"]);
        var format = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(Schema).RootElement);

        var key = GrammarCache.ToolsKey([tool], required: true, multiple: false, responseFormat: null);

        Assert.Equal(key, GrammarCache.ToolsKey([new SchemaFunction("echo", Schema, _ => null)], true, false, null));
        Assert.NotEqual(key, GrammarCache.ToolsKey([wider], true, false, null));
        Assert.NotEqual(key, GrammarCache.ToolsKey([renamed], true, false, null));
        Assert.NotEqual(key, GrammarCache.ToolsKey([tool], false, false, null));
        Assert.NotEqual(key, GrammarCache.ToolsKey([tool], true, true, null));
        Assert.NotEqual(key, GrammarCache.ToolsKey([tool], true, false, ChatResponseFormat.Json));
        Assert.NotEqual(key, GrammarCache.ToolsKey([tool], true, false, format));
        Assert.NotEqual(key, GrammarCache.ToolsKey([tool, renamed], true, false, null));
    }
}
