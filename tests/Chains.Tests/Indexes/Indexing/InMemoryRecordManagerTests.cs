using Chains.Indexes.Indexing;

namespace Chains.Tests.Indexes.Indexing;

public sealed class InMemoryRecordManagerTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetAsync_MixedIds_ReturnsOnlyKnownRecords()
    {
        var manager = new InMemoryRecordManager();
        await manager.UpsertAsync([new IndexRecord("a", "h1", ["a#0"], At)], Ct);

        var found = await manager.GetAsync(["a", "missing"], Ct);

        Assert.Equal("h1", Assert.Single(found).ContentHash);
    }

    [Fact]
    public async Task UpsertAsync_SameSource_ReplacesRecord()
    {
        var manager = new InMemoryRecordManager();
        await manager.UpsertAsync([new IndexRecord("a", "h1", ["a#0"], At)], Ct);

        await manager.UpsertAsync([new IndexRecord("a", "h2", ["a#1", "a#2"], At)], Ct);

        var record = Assert.Single(await manager.ListAsync(Ct).ToListAsync(Ct));
        Assert.Equal(("h2", 2), (record.ContentHash, record.ChunkIds.Count));
    }

    [Fact]
    public async Task UpsertAsync_NullEntry_WritesNothing()
    {
        var manager = new InMemoryRecordManager();

        await Assert.ThrowsAsync<ArgumentException>(() => manager.UpsertAsync([new IndexRecord("a", "h", [], At), null!], Ct));

        Assert.Equal(0, manager.Count);
    }

    [Fact]
    public async Task DeleteAsync_KnownAndUnknownIds_RemovesKnown()
    {
        var manager = new InMemoryRecordManager();
        await manager.UpsertAsync([new IndexRecord("a", "h", [], At), new IndexRecord("b", "h", [], At)], Ct);

        await manager.DeleteAsync(["a", "zzz"], Ct);

        Assert.Equal("b", Assert.Single(await manager.ListAsync(Ct).ToListAsync(Ct)).SourceId);
    }
}
