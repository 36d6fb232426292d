using Chains.Indexes;
using Chains.Indexes.Retrievers;

namespace Chains.Tests.Indexes.Retrievers;

public class Bm25IndexTests
{
    [Fact]
    public void Search_ChineseQuery_FindsTheDocumentWithThoseWords()
    {
        var index = new Bm25Index();
        index.Upsert(TestCorpus.Chinese);

        var results = index.Search("红烧肉怎么做", top: 2);

        Assert.Equal("zh-cooking", results[0].Document.Id);
        Assert.True(results[0].Score > 0);
    }

    [Fact]
    public void Search_ChineseTermInsideLongerText_MatchesByBigrams()
    {
        var index = new Bm25Index();
        index.Upsert(TestCorpus.Chinese);

        var results = index.Search("数据库", top: 5);

        Assert.Equal(["zh-vector"], results.Select(r => r.Document.Id));
    }

    [Fact]
    public void Search_LatinQuery_IsCaseInsensitive()
    {
        var index = new Bm25Index();
        index.Upsert(TestCorpus.Chinese);

        var results = index.Search("VECTOR Databases", top: 5);

        Assert.Equal("en-vector", Assert.Single(results).Document.Id);
    }

    [Fact]
    public void Search_RareTermOutweighsCommonTerm()
    {
        var index = new Bm25Index();
        index.Upsert(
        [
            new Document("common1", "the report"),
            new Document("common2", "the summary"),
            new Document("rare", "the zebra"),
        ]);

        var results = index.Search("the zebra", top: 3);

        Assert.Equal("rare", results[0].Document.Id);
        Assert.True(results[0].Score > results[1].Score);
    }

    [Fact]
    public void Search_ShorterDocumentWithSameMatches_ScoresHigher()
    {
        var index = new Bm25Index();
        index.Upsert([new Document("long", "apple " + string.Join(' ', Enumerable.Repeat("filler", 40))), new Document("short", "apple pie"), new Document("other", "banana")]);

        var results = index.Search("apple", top: 3);

        Assert.Equal(["short", "long"], results.Select(r => r.Document.Id));
    }

    [Fact]
    public void Search_Filter_ExcludesNonMatchingDocuments()
    {
        var index = new Bm25Index();
        index.Upsert(TestCorpus.Chinese);

        var results = index.Search("向量 vector", top: 5, MetadataFilter.Eq("lang", "en"));

        Assert.Equal(["en-vector"], results.Select(r => r.Document.Id));
    }

    [Fact]
    public void Search_NoSharedTerm_ReturnsNothing()
    {
        var index = new Bm25Index();
        index.Upsert(TestCorpus.English);

        Assert.Empty(index.Search("量子计算", top: 5));
        Assert.Empty(new Bm25Index().Search("anything"));
    }

    [Fact]
    public void Upsert_SameId_ReplacesTheOldTerms()
    {
        var index = new Bm25Index();
        index.Upsert([new Document("a", "old words")]);

        index.Upsert([new Document("a", "new words")]);

        Assert.Equal(1, index.Count);
        Assert.Empty(index.Search("old"));
        Assert.Equal("new words", Assert.Single(index.Search("new")).Document.Content);
    }

    [Fact]
    public void Delete_Ids_RemovesThemFromResults()
    {
        var index = new Bm25Index();
        index.Upsert(TestCorpus.English);

        Assert.Equal(1, index.Delete(["cats", "missing"]));

        Assert.DoesNotContain("cats", index.Search("cat rug", top: 5).Select(r => r.Document.Id));
        Assert.Equal(4, index.Count);
    }

    [Fact]
    public void Search_ConcurrentUpserts_StaysConsistent()
    {
        var index = new Bm25Index();

        Parallel.For(0, 200, i =>
        {
            index.Upsert([new Document($"d{i}", $"term{i % 10} shared")]);
            Assert.NotEmpty(index.Search("shared", top: 3));
        });

        Assert.Equal(200, index.Count);
        Assert.Equal(20, index.Search("term3", top: 100).Count);
    }

    [Theory]
    [InlineData(-0.1, 0.75)]
    [InlineData(double.NaN, 0.75)]
    [InlineData(1.2, 1.5)]
    [InlineData(1.2, -0.1)]
    public void Constructor_InvalidParameters_Throw(double k1, double b)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new Bm25Index(k1, b));
}
