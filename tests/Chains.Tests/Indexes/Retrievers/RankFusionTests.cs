using Chains.Indexes;
using Chains.Indexes.Retrievers;

namespace Chains.Tests.Indexes.Retrievers;

public class RankFusionTests
{
    private static readonly Document A = new("a", "a");
    private static readonly Document B = new("b", "b");
    private static readonly Document C = new("c", "c");

    [Fact]
    public void Reciprocal_DocumentInBothRankings_SumsItsContributions()
    {
        var fused = RankFusion.Reciprocal([[A, B], [B, C]]);

        Assert.Equal(["b", "a", "c"], fused.Select(f => f.Document.Id));
        Assert.Equal((1.0 / 62) + (1.0 / 61), fused[0].Score, 12);
        Assert.Equal(1.0 / 61, fused[1].Score, 12);
    }

    [Fact]
    public void Reciprocal_Weights_FavourTheHeavierRanking()
    {
        var fused = RankFusion.Reciprocal([[A], [C]], [1, 2]);

        Assert.Equal(["c", "a"], fused.Select(f => f.Document.Id));
        Assert.Equal(2.0 / 61, fused[0].Score, 12);
    }

    [Fact]
    public void Reciprocal_EqualScores_KeepFirstSeenOrder()
    {
        var fused = RankFusion.Reciprocal([[A], [B]], k: 0);

        Assert.Equal(["a", "b"], fused.Select(f => f.Document.Id));
        Assert.Equal(1.0, fused[0].Score);
    }

    [Fact]
    public void Reciprocal_DuplicateInOneRanking_CountsOnlyTheFirst()
    {
        var fused = RankFusion.Reciprocal([[A, A, B]]);

        Assert.Equal(1.0 / 61, fused[0].Score, 12);
        Assert.Equal(1.0 / 62, fused[1].Score, 12);
    }

    [Fact]
    public void Reciprocal_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => RankFusion.Reciprocal([[A]], [1, 2]));
        Assert.Throws<ArgumentException>(() => RankFusion.Reciprocal([[A]], [-1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankFusion.Reciprocal([[A]], k: -1));
        Assert.Throws<ArgumentNullException>(() => RankFusion.Reciprocal([null!]));
    }
}
