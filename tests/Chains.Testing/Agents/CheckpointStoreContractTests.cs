using System.Text.Json;
using Chains.Agents.Graph;

namespace Chains.Testing.Agents;

/// <summary>The behaviour every <see cref="ICheckpointStore"/> must have. Each store's test class (in memory, files,
/// PostgreSQL) derives from this one and implements <see cref="CreateStore"/>; every test here then runs against it.</summary>
/// <remarks>Each call of <see cref="CreateStore"/> within a test must see the same data (a second instance over the
/// same directory or table, like a second process would); tests of different classes must not share data.</remarks>
public abstract class CheckpointStoreContractTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates the store under test; calls within one test share its data.</summary>
    protected abstract ICheckpointStore CreateStore();

    protected static GraphCheckpoint Checkpoint(string thread, long step, string state = """{"n":1}""", GraphStatus status = GraphStatus.Running) => new()
    {
        ThreadId = thread,
        Step = step,
        State = JsonElement.Parse(state),
        NextNodes = ["a", "b"],
        RanNodes = ["start"],
        Status = status,
        Interrupt = status == GraphStatus.Interrupted ? new GraphInterrupt("a", InterruptTiming.Before) : null,
        PendingJoins = new Dictionary<string, IReadOnlyList<string>> { ["x+y->z"] = ["x"] },
        CreatedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
    };

    [Fact]
    public async Task GetAsync_AfterSaves_LatestWithEveryFieldIntact()
    {
        var store = CreateStore();
        await store.SaveAsync(Checkpoint("t1", 0), CheckpointRetention.All, Ct);
        await store.SaveAsync(Checkpoint("t1", 1, """{"n":2,"list":["x"]}""", GraphStatus.Interrupted), CheckpointRetention.All, Ct);

        var latest = await store.GetAsync("t1", cancellationToken: Ct);

        Assert.NotNull(latest);
        Assert.Equal(1, latest.Step);
        Assert.Equal("t1", latest.ThreadId);
        Assert.Equal(2, latest.State.GetProperty("n").GetInt32());
        Assert.Equal(["a", "b"], latest.NextNodes);
        Assert.Equal(["start"], latest.RanNodes);
        Assert.Equal(GraphStatus.Interrupted, latest.Status);
        Assert.Equal(new GraphInterrupt("a", InterruptTiming.Before), latest.Interrupt);
        Assert.Equal(["x"], latest.PendingJoins!["x+y->z"]);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), latest.CreatedAt);
    }

    [Fact]
    public async Task GetAsync_ByStep_ThatCheckpointOrNull()
    {
        var store = CreateStore();
        await store.SaveAsync(Checkpoint("t1", 3, """{"n":3}"""), CheckpointRetention.All, Ct);
        await store.SaveAsync(Checkpoint("t1", 7, """{"n":7}"""), CheckpointRetention.All, Ct);

        Assert.Equal(3, (await store.GetAsync("t1", 3, Ct))!.State.GetProperty("n").GetInt32());
        Assert.Null(await store.GetAsync("t1", 5, Ct));
    }

    [Fact]
    public async Task GetAsync_UnknownThread_Null()
        => Assert.Null(await CreateStore().GetAsync("nobody", cancellationToken: Ct));

    [Fact]
    public async Task ListAsync_NewestFirstAndThreadsSeparate()
    {
        var store = CreateStore();
        await store.SaveAsync(Checkpoint("t1", 0), CheckpointRetention.All, Ct);
        await store.SaveAsync(Checkpoint("t2", 0), CheckpointRetention.All, Ct);
        await store.SaveAsync(Checkpoint("t1", 1), CheckpointRetention.All, Ct);

        var steps = new List<long>();
        await foreach (var checkpoint in store.ListAsync("t1", Ct))
        {
            steps.Add(checkpoint.Step);
        }

        Assert.Equal([1, 0], steps);
    }

    [Fact]
    public async Task SaveAsync_KeepLast_OlderCheckpointsRemoved()
    {
        var store = CreateStore();
        for (var step = 0; step < 5; step++)
        {
            await store.SaveAsync(Checkpoint("t1", step), CheckpointRetention.KeepLast(2), Ct);
        }

        var steps = new List<long>();
        await foreach (var checkpoint in store.ListAsync("t1", Ct))
        {
            steps.Add(checkpoint.Step);
        }

        Assert.Equal([4, 3], steps);
        Assert.Null(await store.GetAsync("t1", 1, Ct));
    }

    [Fact]
    public async Task SaveAsync_StepNotGrowing_ThrowsArgumentException()
    {
        var store = CreateStore();
        await store.SaveAsync(Checkpoint("t1", 2), CheckpointRetention.All, Ct);

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.SaveAsync(Checkpoint("t1", 2), CheckpointRetention.All, Ct));
    }

    [Fact]
    public async Task DeleteThreadAsync_RemovesOnlyThatThread()
    {
        var store = CreateStore();
        await store.SaveAsync(Checkpoint("t1", 0), CheckpointRetention.All, Ct);
        await store.SaveAsync(Checkpoint("t1", 1), CheckpointRetention.All, Ct);
        await store.SaveAsync(Checkpoint("t2", 0), CheckpointRetention.All, Ct);

        Assert.Equal(2, await store.DeleteThreadAsync("t1", Ct));
        Assert.Null(await store.GetAsync("t1", cancellationToken: Ct));
        Assert.NotNull(await store.GetAsync("t2", cancellationToken: Ct));
        Assert.Equal(0, await store.DeleteThreadAsync("t1", Ct));
    }

    [Fact]
    public async Task SaveAsync_ThreadIdWithPathCharacters_StoredSafely()
    {
        var store = CreateStore();
        const string thread = "../../etc/passwd:?*|<>\\ünïcode";
        await store.SaveAsync(Checkpoint(thread, 0), CheckpointRetention.All, Ct);

        Assert.Equal(thread, (await store.GetAsync(thread, cancellationToken: Ct))!.ThreadId);
    }

    [Fact]
    public async Task SaveAsync_ConcurrentThreads_AllKept()
    {
        var store = CreateStore();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async t =>
        {
            for (var step = 0; step < 5; step++)
            {
                await store.SaveAsync(Checkpoint($"t{t}", step), CheckpointRetention.All, Ct);
            }
        }));

        for (var t = 0; t < 8; t++)
        {
            Assert.Equal(4, (await store.GetAsync($"t{t}", cancellationToken: Ct))!.Step);
        }
    }
}
