using Chains.Agents.Graph;

namespace Chains.Tests.Agents.Graph;

public sealed class StateGraphTests
{
    private static StateGraph<int> Linear() => new StateGraph<int>()
        .AddNode("a", s => s + 1)
        .AddEdge(StateGraph.Start, "a")
        .AddEdge("a", StateGraph.End);

    [Theory]
    [InlineData("__start__")]
    [InlineData("__end__")]
    [InlineData("__mine")]
    public void AddNode_ReservedName_Throws(string name)
        => Assert.Throws<ArgumentException>(() => new StateGraph<int>().AddNode(name, s => s));

    [Fact]
    public void AddNode_DuplicateName_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => Linear().AddNode("a", s => s));

        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddEdge_FromEnd_Throws()
        => Assert.Throws<ArgumentException>(() => new StateGraph<int>().AddEdge(StateGraph.End, "a"));

    [Fact]
    public void AddEdge_JoinWithOneSource_Throws()
        => Assert.Throws<ArgumentException>(() => new StateGraph<int>().AddEdge(["a", "a"], "b"));

    [Fact]
    public void Compile_NoEntry_ThrowsMentioningStart()
    {
        var graph = new StateGraph<int>().AddNode("a", s => s).AddEdge("a", StateGraph.End);

        var error = Assert.Throws<InvalidOperationException>(() => graph.Compile());

        Assert.Contains("StateGraph.Start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_EdgeToUnknownNode_ThrowsNamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Linear().AddEdge("a", "ghost").Compile());

        Assert.Contains("'ghost'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_NodeWithoutWayOut_ThrowsNamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Linear().AddNode("b", s => s).Compile());

        Assert.Contains("'b' has no outgoing edge", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_FanOutWithoutReducer_ThrowsAskingForOne()
    {
        var graph = Linear().AddNode("b", s => s).AddNode("c", s => s).AddEdge("a", "b").AddEdge("a", "c").AddEdge("b", StateGraph.End).AddEdge("c", StateGraph.End);

        var error = Assert.Throws<InvalidOperationException>(() => graph.Compile());

        Assert.Contains("reducer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_InterruptsWithoutStore_Throws()
        => Assert.Throws<InvalidOperationException>(() => Linear().Compile(new StateGraphOptions { InterruptBefore = ["a"] }));

    [Fact]
    public void Compile_InterruptOnUnknownNode_ThrowsNamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Linear().Compile(new StateGraphOptions { CheckpointStore = new InMemoryCheckpointStore(), InterruptAfter = ["zzz"] }));

        Assert.Contains("'zzz'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_MaxStepsBelowOne_ThrowsNamingTheOption()
        => Assert.Equal("MaxSteps", Assert.Throws<ArgumentOutOfRangeException>(() => Linear().Compile(new StateGraphOptions { MaxSteps = 0 })).ParamName);

    [Fact]
    public async Task Compile_BuilderChangedAfterwards_CompiledGraphUnaffected()
    {
        var builder = Linear();
        var compiled = builder.Compile();
        builder.AddNode("b", s => s * 100).AddEdge("a", "b").AddEdge("b", StateGraph.End);

        Assert.Equal(["a"], compiled.Nodes);
        Assert.Equal(2, await compiled.InvokeAsync(1, cancellationToken: TestContext.Current.CancellationToken));
    }
}
