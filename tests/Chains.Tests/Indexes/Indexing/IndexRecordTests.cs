using Chains.Indexes.Indexing;

namespace Chains.Tests.Indexes.Indexing;

public sealed class IndexRecordTests
{
    [Fact]
    public void IsPending_NullHash_IsTrue()
    {
        Assert.True(new IndexRecord("a", null, ["a#0"], DateTimeOffset.MinValue).IsPending);
        Assert.False(new IndexRecord("a", "abc", ["a#0"], DateTimeOffset.MinValue).IsPending);
    }

    [Fact]
    public void Constructor_EmptyHash_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new IndexRecord("a", "", [], DateTimeOffset.MinValue));

        Assert.Equal("contentHash", ex.ParamName);
    }

    [Fact]
    public void Constructor_EmptySource_Throws()
        => Assert.Throws<ArgumentException>(() => new IndexRecord("", "h", [], DateTimeOffset.MinValue));
}
