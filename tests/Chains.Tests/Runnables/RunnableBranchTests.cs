using Chains.Runnables;
using Chains.Tests.Fakes;

namespace Chains.Tests.Runnables;

public sealed class RunnableBranchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Runnable<int, string> Classify =
        Runnable.When((int x) => x < 0, Runnable.Lambda((int _) => "negative", "neg"))
            .When(x => x < 10, Runnable.Lambda((int _) => "small", "small"))
            .When(x => x < 100, Runnable.Lambda((int _) => "medium", "medium"))
            .Otherwise(Runnable.Lambda((int _) => "large", "large"));

    [Theory]
    [InlineData(-5, "negative")]
    [InlineData(3, "small")]
    [InlineData(50, "medium")]
    [InlineData(500, "large")]
    public async Task InvokeAsync_Conditions_RunsFirstMatchingBranchOrDefault(int input, string expected)
        => Assert.Equal(expected, await Classify.InvokeAsync(input, cancellationToken: Ct));

    [Fact]
    public async Task InvokeAsync_SeveralConditionsHold_RunsOnlyTheFirst()
    {
        var ran = new List<string>();
        var branch = Runnable.When((int x) => x > 0, Runnable.Lambda((int x) => { ran.Add("first"); return x; }))
            .When(x => x > 1, Runnable.Lambda((int x) => { ran.Add("second"); return x; }))
            .Otherwise(Runnable.Lambda((int x) => { ran.Add("default"); return x; }));

        await branch.InvokeAsync(5, cancellationToken: Ct);

        Assert.Equal(["first"], ran);
    }

    [Fact]
    public async Task InvokeAsync_AsyncCondition_AwaitsItWithTheRunToken()
    {
        var tokens = new List<CancellationToken>();
        var branch = Runnable.When<string, string>(
                async (s, ct) =>
                {
                    tokens.Add(ct);
                    await Task.Yield();
                    return s.StartsWith('?');
                },
                Runnable.Lambda((string _) => "question"))
            .Otherwise(Runnable.Lambda((string _) => "statement"));

        Assert.Equal("question", await branch.InvokeAsync("?why", cancellationToken: Ct));
        Assert.Equal("statement", await branch.InvokeAsync("because", cancellationToken: Ct));
        Assert.Equal([Ct, Ct], tokens);
    }

    [Fact]
    public async Task StreamAsync_StreamingBranch_StreamsItsChunks()
    {
        var branch = Runnable.When((int x) => x > 0, Runnable.Streaming<int, string>((x, _, _) => new[] { "a", "b" }.ToAsyncEnumerable()))
            .Otherwise(Runnable.Lambda((int _) => "none"));

        Assert.Equal(["a", "b"], await branch.StreamAsync(1, cancellationToken: Ct).ToListAsync(Ct));
        Assert.Equal(["none"], await branch.StreamAsync(-1, cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task InvokeAsync_WithSink_ChosenStepIsChildOfBranch()
    {
        var sink = new CollectingSink();

        await Classify.InvokeAsync(50, new RunOptions { EventSink = sink }, Ct);

        var starts = sink.Events.OfType<RunStartedEvent>().ToList();
        Assert.Equal(["Branch", "medium"], starts.Select(e => e.Name));
        Assert.Equal(starts[0].RunId, starts[1].ParentRunId);
    }

    [Fact]
    public void When_NullArgument_ThrowsArgumentNull()
    {
        var step = Runnable.Lambda((int x) => x);

        Assert.Throws<ArgumentNullException>("condition", () => Runnable.When((Func<int, bool>)null!, step));
        Assert.Throws<ArgumentNullException>("step", () => Runnable.When((int x) => true, (Runnable<int, int>)null!));
        Assert.Throws<ArgumentNullException>("defaultStep", () => Runnable.When((int x) => true, step).Otherwise(null!));
    }
}
