using Chains.Agents.Graph;

namespace Chains.Tests.Agents.Graph;

public sealed class CheckpointRetentionTests
{
    [Fact]
    public void All_KeepsEverything()
    {
        Assert.Null(CheckpointRetention.All.KeepLastCount);
        Assert.True(CheckpointRetention.All.Keeps(1_000_000));
        Assert.Equal(CheckpointRetention.All, default);
        Assert.Equal("All", CheckpointRetention.All.ToString());
    }

    [Fact]
    public void KeepLast_KeepsOnlyTheNewest()
    {
        var retention = CheckpointRetention.KeepLast(2);

        Assert.True(retention.Keeps(0));
        Assert.True(retention.Keeps(1));
        Assert.False(retention.Keeps(2));
        Assert.Equal("KeepLast(2)", retention.ToString());
    }

    [Fact]
    public void KeepLast_LessThanOne_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => CheckpointRetention.KeepLast(0));
}
