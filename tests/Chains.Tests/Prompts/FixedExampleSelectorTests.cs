using Chains.Prompts;

namespace Chains.Tests.Prompts;

public class FixedExampleSelectorTests
{
    [Fact]
    public async Task SelectExamplesAsync_AnyQuery_ReturnsAllInOrder()
    {
        var selector = new FixedExampleSelector<string>(["a", "b", "c"]);

        var selected = await selector.SelectExamplesAsync("whatever", TestContext.Current.CancellationToken);

        Assert.Equal(["a", "b", "c"], selected);
        Assert.Equal(["a", "b", "c"], selector.Examples);
    }

    [Fact]
    public void Constructor_NullExample_ThrowsNamingIndex()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => new FixedExampleSelector<string>(["a", null!]));

        Assert.Contains("Example 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SourceChangedLater_KeepsCopy()
    {
        var source = new List<string> { "a" };
        var selector = new FixedExampleSelector<string>(source);

        source.Add("b");

        Assert.Equal(["a"], selector.Examples);
    }
}
