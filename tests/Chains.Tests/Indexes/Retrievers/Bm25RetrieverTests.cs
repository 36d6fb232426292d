using Chains.Indexes;
using Chains.Indexes.Retrievers;

namespace Chains.Tests.Indexes.Retrievers;

public class Bm25RetrieverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_ChineseQuery_ReturnsBestKeywordMatchesFirst()
    {
        var index = new Bm25Index();
        index.Upsert(TestCorpus.Chinese);
        var retriever = new Bm25Retriever(index, top: 2);

        var documents = await retriever.InvokeAsync("北京天气怎么样", cancellationToken: Ct);

        Assert.Equal("zh-weather", documents[0].Id);
        Assert.Equal(2, documents.Count);
    }

    [Fact]
    public async Task InvokeAsync_Filter_Applies()
    {
        var index = new Bm25Index();
        index.Upsert(TestCorpus.Chinese);
        var retriever = new Bm25Retriever(index, top: 5, MetadataFilter.Eq("lang", "en"));

        var documents = await retriever.InvokeAsync("vector 向量", cancellationToken: Ct);

        Assert.Equal(["en-vector"], TestCorpus.Ids(documents));
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new Bm25Retriever(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bm25Retriever(new Bm25Index(), top: 0));
    }
}
