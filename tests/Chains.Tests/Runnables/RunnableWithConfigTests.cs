using Chains.Runnables;
using Chains.Tests.Fakes;

namespace Chains.Tests.Runnables;

public sealed class RunnableWithConfigTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithConfig_TagsAndMetadata_InheritedByNestedStepsEvents()
    {
        var sink = new CollectingSink();
        var inner = Runnable.Lambda((int x) => x + 1, "a").Pipe(Runnable.Lambda((int x) => x * 2, "b"))
            .WithConfig(tags: ["inner"], metadata: new Dictionary<string, object?> { ["user"] = "u1" }, name: "configured");
        var chain = Runnable.Lambda((int x) => x, "first").Pipe(inner);

        Assert.Equal(4, await chain.InvokeAsync(1, new RunOptions { EventSink = sink, Tags = ["run"], Metadata = new Dictionary<string, object?> { ["env"] = "test" } }, Ct));

        var starts = sink.Events.OfType<RunStartedEvent>().ToDictionary(e => e.Name);
        Assert.Equal(["run"], starts["Sequence"].Tags);
        Assert.Equal(["run"], starts["first"].Tags);
        Assert.Equal(["run", "inner"], starts["configured"].Tags);
        Assert.Equal(["run", "inner"], starts["a"].Tags);
        Assert.Equal(["run", "inner"], starts["b"].Tags);
        Assert.Equal("u1", starts["b"].Info.Metadata["user"]);
        Assert.Equal("test", starts["b"].Info.Metadata["env"]);
        Assert.False(starts["first"].Info.Metadata.ContainsKey("user"));
        Assert.Equal(starts["configured"].RunId, starts["a"].ParentRunId);
        Assert.Equal(StepKinds.Chain, starts["configured"].Info.StepKind);
    }

    [Fact]
    public async Task WithName_Step_NameAppearsInEventsAndKindIsKept()
    {
        var sink = new CollectingSink();
        var step = Runnable.Lambda((int x) => x).WithName("renamed");

        await step.InvokeAsync(1, new RunOptions { EventSink = sink }, Ct);

        Assert.Equal("renamed", step.Name);
        Assert.All(sink.Events, e => Assert.Equal("renamed", e.Name));
        Assert.All(sink.Events, e => Assert.Equal(StepKinds.Lambda, e.Info.StepKind));
        Assert.Equal(2, sink.Events.Count);
    }

    [Fact]
    public async Task WithName_AppliedTwice_OutermostNameWinsAndOneNodeIsReported()
    {
        var sink = new CollectingSink();
        var step = Runnable.Lambda((int x) => x).WithName("inner").WithName("outer");

        await step.InvokeAsync(1, new RunOptions { EventSink = sink }, Ct);

        Assert.Equal(["outer", "outer"], sink.Events.Select(e => e.Name));
    }

    [Fact]
    public async Task WithConfig_Nested_MergesMetadataOuterWins()
    {
        var sink = new CollectingSink();
        var step = Runnable.Lambda((int x) => x)
            .WithConfig(tags: ["a"], metadata: new Dictionary<string, object?> { ["k"] = "inner", ["only-inner"] = 1 })
            .WithConfig(tags: ["b"], metadata: new Dictionary<string, object?> { ["k"] = "outer" });

        await step.InvokeAsync(1, new RunOptions { EventSink = sink }, Ct);

        var start = sink.Events.OfType<RunStartedEvent>().Single();
        Assert.Equal("outer", start.Info.Metadata["k"]);
        Assert.Equal(1, start.Info.Metadata["only-inner"]);
        Assert.Equal(["a", "b"], start.Tags.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunName_Option_RenamesTheRootOnly()
    {
        var sink = new CollectingSink();
        var chain = Runnable.Lambda((int x) => x, "a").Pipe(Runnable.Lambda((int x) => x, "b"));

        await chain.InvokeAsync(1, new RunOptions { EventSink = sink, RunName = "my-chain" }, Ct);

        Assert.Equal(["my-chain", "a", "b"], sink.Events.OfType<RunStartedEvent>().Select(e => e.Name));
    }

    [Fact]
    public async Task WithConfig_Streaming_PassesChunksThrough()
    {
        var step = Runnable.Streaming<int, string>((_, _, _) => new[] { "x", "y" }.ToAsyncEnumerable()).WithConfig(tags: ["t"]);

        Assert.Equal(["x", "y"], await step.StreamAsync(1, cancellationToken: Ct).ToListAsync(Ct));
        Assert.Equal("xy", await step.InvokeAsync(1, cancellationToken: Ct));
    }

    [Fact]
    public void WithName_InvalidArguments_Throw()
    {
        var step = Runnable.Lambda((int x) => x);

        Assert.Throws<ArgumentException>("name", () => step.WithName(" "));
        Assert.Throws<ArgumentNullException>("name", () => step.WithName(null!));
        Assert.Throws<ArgumentNullException>("step", () => ((Runnable<int, int>)null!).WithConfig());
    }
}
