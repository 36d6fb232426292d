using Chains.Runnables;
using Chains.Tests.Fakes;

namespace Chains.Tests.Runnables;

public sealed class RunnableAssignTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Question(string Text, int? Length = null);

    [Fact]
    public async Task InvokeAsync_SyncCompute_MergesValueIntoInput()
    {
        var assign = Runnable.Assign(Runnable.Lambda((Question q) => q.Text.Length), (q, n) => q with { Length = n });

        Assert.Equal(new Question("why", 3), await assign.InvokeAsync(new Question("why"), cancellationToken: Ct));
    }

    [Fact]
    public async Task InvokeAsync_AsyncCompute_MergesValueIntoInput()
    {
        var assign = Runnable.Assign(
            Runnable.Lambda<Question, int>(async (q, ct) =>
            {
                await Task.Yield();
                return q.Text.Length * 2;
            }),
            (q, n) => q with { Length = n });

        Assert.Equal(new Question("ab", 4), await assign.InvokeAsync(new Question("ab"), cancellationToken: Ct));
    }

    [Fact]
    public async Task Assign_AfterStep_MergesIntoThatStepsOutput()
    {
        var chain = Runnable.Lambda((string s) => new Question(s.Trim()))
            .Assign(Runnable.Lambda((Question q) => q.Text.Length), (q, n) => q with { Length = n });

        Assert.Equal(new Question("hey", 3), await chain.InvokeAsync("  hey ", cancellationToken: Ct));
    }

    [Fact]
    public async Task Passthrough_InvokeAndTransform_ReturnsInputUnchanged()
    {
        var passthrough = Runnable.Passthrough<string>();

        Assert.Equal("same", await passthrough.InvokeAsync("same", cancellationToken: Ct));
        Assert.Same(passthrough, Runnable.Passthrough<string>());
        Assert.Equal(["a", "b"], await passthrough.TransformAsync(new[] { "a", "b" }.ToAsyncEnumerable(), cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task InvokeAsync_WithSink_ComputeIsChildOfAssign()
    {
        var sink = new CollectingSink();
        var assign = Runnable.Assign(Runnable.Lambda((Question q) => 1, "count"), (q, n) => q with { Length = n });

        await assign.InvokeAsync(new Question("q"), new RunOptions { EventSink = sink }, Ct);

        var starts = sink.Events.OfType<RunStartedEvent>().ToList();
        Assert.Equal(["Assign", "count"], starts.Select(e => e.Name));
        Assert.Equal(starts[0].RunId, starts[1].ParentRunId);
    }

    [Fact]
    public void Assign_NullArgument_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>("compute", () => Runnable.Assign<int, int, int>(null!, (a, b) => a));
        Assert.Throws<ArgumentNullException>("merge", () => Runnable.Assign<int, int, int>(Runnable.Lambda((int x) => x), null!));
    }
}
