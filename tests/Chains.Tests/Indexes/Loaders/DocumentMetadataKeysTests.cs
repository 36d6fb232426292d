using Chains.Indexes.Loaders;

namespace Chains.Tests.Indexes.Loaders;

public sealed class DocumentMetadataKeysTests
{
    [Fact]
    public void Heading_Levels_AreHKeys()
    {
        Assert.Equal(["h1", "h2", "h3", "h4", "h5", "h6"], Enumerable.Range(1, 6).Select(DocumentMetadataKeys.Heading));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Heading_OutOfRange_Throws(int level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DocumentMetadataKeys.Heading(level));
    }
}
