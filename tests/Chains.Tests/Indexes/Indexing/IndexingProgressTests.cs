using Chains.Indexes.Indexing;

namespace Chains.Tests.Indexes.Indexing;

public sealed class IndexingProgressTests
{
    [Fact]
    public void Rates_AfterFourSeconds_DivideCountsByElapsed()
    {
        var progress = new IndexingProgress(documents: 10, chunks: 40, embeddings: 20, elapsed: TimeSpan.FromSeconds(4));

        Assert.Equal((2.5, 10.0, 5.0), (progress.DocumentsPerSecond, progress.ChunksPerSecond, progress.EmbeddingsPerSecond));
    }

    [Fact]
    public void Rates_NoTimeElapsed_AreZero()
    {
        var progress = new IndexingProgress(3, 3, 3, TimeSpan.Zero);

        Assert.Equal((0.0, 0.0, 0.0), (progress.DocumentsPerSecond, progress.ChunksPerSecond, progress.EmbeddingsPerSecond));
    }

    [Fact]
    public void ToString_Always_ShowsCountsAndRates()
        => Assert.Equal(
            "10 documents (2.5/s), 40 chunks (10.0/s), 20 embeddings (5.0/s) in 00:00:04",
            new IndexingProgress(10, 40, 20, TimeSpan.FromSeconds(4)).ToString());
}
