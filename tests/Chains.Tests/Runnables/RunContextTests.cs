using Chains.Runnables;
using Chains.Tests.Fakes;

namespace Chains.Tests.Runnables;

public sealed class RunContextTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Default_NoOptions_UsesDefaults()
    {
        var context = default(RunContext);

        Assert.Null(context.Options);
        Assert.Null(context.RunId);
        Assert.Same(TimeProvider.System, context.TimeProvider);
        Assert.Equal(Runnable.DefaultMaxConcurrency, context.MaxConcurrency);
    }

    [Fact]
    public async Task RunId_ObservedRun_IsTheStepsRunId()
    {
        var sink = new CollectingSink();
        Guid? seen = null;
        var step = Runnable.Lambda<int, int>((x, context, _) =>
        {
            seen = context.RunId;
            return new ValueTask<int>(x);
        });

        await step.InvokeAsync(1, new RunOptions { EventSink = sink }, Ct);

        Assert.NotNull(seen);
        Assert.Equal(sink.Events[0].RunId, seen);
    }

    [Fact]
    public async Task StreamAndTransformAsync_ChildSteps_NestUnderCaller()
    {
        var sink = new CollectingSink();
        var child = Runnable.Lambda((string s) => s.ToUpperInvariant(), "child");
        var parent = Runnable.Lambda<string, string>(
            async (s, context, ct) =>
            {
                var streamed = string.Concat(await context.StreamAsync(child, s, ct).ToListAsync(ct));
                var transformed = string.Concat(await context.TransformAsync(child, new[] { "x", "y" }.ToAsyncEnumerable(), ct).ToListAsync(ct));
                return streamed + transformed;
            },
            "parent");

        Assert.Equal("ABXY", await parent.InvokeAsync("ab", new RunOptions { EventSink = sink }, Ct));

        var parentStart = sink.Events.OfType<RunStartedEvent>().Single(e => e.Name == "parent");
        var children = sink.Events.OfType<RunStartedEvent>().Where(e => e.Name == "child").ToList();
        Assert.Equal(2, children.Count);
        Assert.All(children, e => Assert.Equal(parentStart.RunId, e.ParentRunId));
    }

    [Fact]
    public async Task InvokeAsync_NullStep_ThrowsArgumentNull()
    {
        var context = default(RunContext);

        await Assert.ThrowsAsync<ArgumentNullException>("step", async () => await context.InvokeAsync<int, int>(null!, 1, Ct));
        Assert.Throws<ArgumentNullException>("step", () => context.StreamAsync<int, int>(null!, 1, Ct));
        Assert.Throws<ArgumentNullException>("input", () => context.TransformAsync(Runnable.Lambda((int x) => x), null!, Ct));
    }

    [Fact]
    public void DefaultMaxConcurrency_LessThanOne_ThrowsAndKeepsValue()
    {
        var before = Runnable.DefaultMaxConcurrency;

        Assert.Throws<ArgumentOutOfRangeException>(() => Runnable.DefaultMaxConcurrency = 0);
        Assert.Equal(before, Runnable.DefaultMaxConcurrency);
        Assert.True(before >= 4);
    }
}
