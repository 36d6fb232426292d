namespace Chains.LLamaSharp.Tests;

public sealed class GpuLayersTests
{
    [Fact]
    public void WellKnownValues_DescribeThemselves()
    {
        Assert.Equal(0, GpuLayers.None.LayerCount);
        Assert.Equal(int.MaxValue, GpuLayers.All.LayerCount);
        Assert.Equal(12, GpuLayers.Count(12).LayerCount);
        Assert.True(GpuLayers.Auto(8L << 30).IsAuto);
        Assert.Null(GpuLayers.Auto(8L << 30).LayerCount);
        Assert.Equal(8L << 30, GpuLayers.Auto(8L << 30).VramBudgetBytes);
        Assert.Equal("none", GpuLayers.None.ToString());
        Assert.Equal("all", GpuLayers.All.ToString());
        Assert.Equal("12", GpuLayers.Count(12).ToString());
        Assert.Equal("auto (8 GiB)", GpuLayers.Auto(8L << 30).ToString());
        Assert.Equal(default, GpuLayers.None);
        Assert.Equal(GpuLayers.Count(3), GpuLayers.Count(3));
        Assert.NotEqual(GpuLayers.Count(3), GpuLayers.Auto(3));
    }

    [Fact]
    public void Count_Negative_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => GpuLayers.Count(-1));

    [Fact]
    public void Auto_ZeroBudget_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => GpuLayers.Auto(0));
}
