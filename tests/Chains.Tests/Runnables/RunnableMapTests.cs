using Chains.Runnables;
using Chains.Tests.Fakes;

namespace Chains.Tests.Runnables;

public sealed class RunnableMapTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_List_MapsEveryItemInOrder()
    {
        var map = Runnable.Lambda<int, string>(async (x, ct) =>
        {
            for (var i = 0; i < 8 - x; i++)
            {
                await Task.Yield();
            }

            return $"#{x}";
        }).Map();

        Assert.Equal(["#0", "#1", "#2", "#3", "#4", "#5", "#6", "#7"], await map.InvokeAsync([0, 1, 2, 3, 4, 5, 6, 7], new RunOptions { MaxConcurrency = 3 }, Ct));
    }

    [Fact]
    public async Task InvokeAsync_MaxConcurrency_InFlightNeverAboveBound()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var map = Runnable.Lambda<int, int>(async (x, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            int seen;
            while ((seen = Volatile.Read(ref maxInFlight)) < now && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen)
            {
            }

            await Task.Yield();
            await Task.Yield();
            Interlocked.Decrement(ref inFlight);
            return x;
        }).Map();

        var outputs = await map.InvokeAsync(Enumerable.Range(0, 50).ToArray(), new RunOptions { MaxConcurrency = 2 }, Ct);

        Assert.Equal(Enumerable.Range(0, 50), outputs);
        Assert.InRange(maxInFlight, 1, 2);
    }

    [Fact]
    public async Task InvokeAsync_ItemFails_ThrowsItsException()
    {
        var map = Runnable.Lambda((int x) => x == 3 ? throw new ArgumentOutOfRangeException(nameof(x)) : x).Map();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await map.InvokeAsync([1, 2, 3, 4], cancellationToken: Ct));
    }

    [Fact]
    public async Task InvokeAsync_EmptyList_ReturnsEmpty()
        => Assert.Empty(await Runnable.Lambda((int x) => x).Map().InvokeAsync([], cancellationToken: Ct));

    [Fact]
    public async Task InvokeAsync_NullList_ThrowsArgumentNull()
        => await Assert.ThrowsAsync<ArgumentNullException>(async () => await Runnable.Lambda((int x) => x).Map().InvokeAsync(null!, cancellationToken: Ct));

    [Fact]
    public async Task InvokeAsync_WithSink_ItemsAreChildrenOfMap()
    {
        var sink = new CollectingSink();

        await Runnable.Lambda((int x) => x, "item").Map().InvokeAsync([1, 2, 3], new RunOptions { EventSink = sink }, Ct);

        var map = sink.Events.OfType<RunStartedEvent>().Single(e => e.Name == "Map");
        var items = sink.Events.OfType<RunStartedEvent>().Where(e => e.Name == "item").ToList();
        Assert.Equal(3, items.Count);
        Assert.All(items, e => Assert.Equal(map.RunId, e.ParentRunId));
    }
}
