using Chains.Indexes;
using Chains.Indexes.Retrievers;

namespace Chains.Tests.Indexes.Retrievers;

public class InMemoryDocumentStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetAsync_MixedIds_ReturnsFoundInRequestedOrder()
    {
        var store = new InMemoryDocumentStore();
        await store.SetAsync([new Document("a", "A"), new Document("b", "B"), new Document("文", "中文")], Ct);

        var found = await store.GetAsync(["文", "missing", "a"], Ct);

        Assert.Equal(["文", "a"], TestCorpus.Ids(found));
        Assert.Equal("中文", found[0].Content);
    }

    [Fact]
    public async Task SetAsync_ExistingId_Replaces()
    {
        var store = new InMemoryDocumentStore();
        await store.SetAsync([new Document("a", "old")], Ct);

        await store.SetAsync([new Document("a", "new")], Ct);

        Assert.Equal(1, store.Count);
        Assert.Equal("new", (await store.GetAsync(["a"], Ct))[0].Content);
    }

    [Fact]
    public async Task SetAsync_NullDocument_ThrowsAndStoresNothing()
    {
        var store = new InMemoryDocumentStore();

        await Assert.ThrowsAsync<ArgumentNullException>(() => store.SetAsync([new Document("a", "A"), null!], Ct));

        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task DeleteAsync_SomeMissing_CountsOnlyDeleted()
    {
        var store = new InMemoryDocumentStore();
        await store.SetAsync([new Document("a", "A"), new Document("b", "B")], Ct);

        Assert.Equal(1, await store.DeleteAsync(["a", "x"], Ct));
        Assert.Equal(["b"], TestCorpus.Ids(await store.GetAsync(["a", "b"], Ct)));
    }
}
