using Chains.Runnables;

namespace Chains.Tests.Runnables;

public sealed class RunOptionsTests
{
    [Fact]
    public void MaxConcurrency_LessThanOne_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>("MaxConcurrency", () => new RunOptions { MaxConcurrency = 0 });
        Assert.Null(new RunOptions { MaxConcurrency = null }.MaxConcurrency);
        Assert.Equal(1, new RunOptions { MaxConcurrency = 1 }.MaxConcurrency);
    }

    [Fact]
    public void With_ChangedCopy_LeavesOriginalUnchanged()
    {
        var original = new RunOptions { Tags = ["a"], MaxConcurrency = 2 };

        var copy = original with { MaxConcurrency = 5 };

        Assert.Equal(2, original.MaxConcurrency);
        Assert.Equal(5, copy.MaxConcurrency);
        Assert.Same(original.Tags, copy.Tags);
    }
}
