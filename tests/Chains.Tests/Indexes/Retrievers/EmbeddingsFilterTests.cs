using Chains.Indexes;
using Chains.Indexes.Retrievers;

namespace Chains.Tests.Indexes.Retrievers;

public class EmbeddingsFilterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompressAsync_ReordersByQuerySimilarity()
    {
        var filter = new EmbeddingsFilter(new BagOfWordsEmbeddingGenerator(), 0.05);
        Document[] documents = [new("weak", "rates"), new("strong", "interest rates rose"), new("none", "cats")];

        var kept = await filter.CompressAsync("interest rates rose", documents, Ct);

        Assert.Equal(["strong", "weak"], TestCorpus.Ids(kept));
    }

    [Fact]
    public async Task CompressAsync_Top_KeepsOnlyTheMostSimilar()
    {
        var filter = new EmbeddingsFilter(new BagOfWordsEmbeddingGenerator(), -1, top: 1);

        var kept = await filter.CompressAsync("向量数据库", TestCorpus.Chinese, Ct);

        Assert.Equal(["zh-vector"], TestCorpus.Ids(kept));
    }

    [Fact]
    public async Task CompressAsync_EmbedsQueryAndDocumentsInOneCall()
    {
        var generator = new BagOfWordsEmbeddingGenerator();
        var filter = new EmbeddingsFilter(generator, 0.1);

        await filter.CompressAsync("q", TestCorpus.English, Ct);

        Assert.Equal(1, generator.Calls);
    }

    [Fact]
    public async Task CompressAsync_NoDocuments_ReturnsEmptyWithoutEmbedding()
    {
        var generator = new BagOfWordsEmbeddingGenerator();

        Assert.Empty(await new EmbeddingsFilter(generator, 0.1).CompressAsync("q", [], Ct));
        Assert.Equal(0, generator.Calls);
    }

    [Theory]
    [InlineData(1.5, null)]
    [InlineData(double.NaN, null)]
    [InlineData(0.5, 0)]
    public void Constructor_InvalidArguments_Throw(double threshold, int? top)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingsFilter(new BagOfWordsEmbeddingGenerator(), threshold, top));
}
