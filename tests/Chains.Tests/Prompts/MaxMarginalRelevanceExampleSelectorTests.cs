using Chains.Prompts;

namespace Chains.Tests.Prompts;

public class MaxMarginalRelevanceExampleSelectorTests
{
    // Two near-duplicates of the query and one different but still related example.
    private static readonly string[] Examples = ["aaab", "aaab ", "aaabb", "aacc", "zzzz"];

    [Fact]
    public async Task SelectExamplesAsync_LambdaOne_OrdersBySimilarityOnly()
    {
        var selector = new MaxMarginalRelevanceExampleSelector<string>(Examples, new FakeEmbeddingGenerator(), e => e, k: 2, lambda: 1);

        var selected = await selector.SelectExamplesAsync("aaab", TestContext.Current.CancellationToken);

        Assert.Equal(["aaab", "aaab "], selected);
    }

    [Fact]
    public async Task SelectExamplesAsync_LowLambda_PrefersDiverseExamples()
    {
        var selector = new MaxMarginalRelevanceExampleSelector<string>(Examples, new FakeEmbeddingGenerator(), e => e, k: 2, fetchK: 4, lambda: 0.3f);

        var selected = await selector.SelectExamplesAsync("aaab", TestContext.Current.CancellationToken);

        Assert.Equal("aaab", selected[0]);
        Assert.Equal("aacc", selected[1]);
    }

    [Fact]
    public async Task SelectExamplesAsync_FetchKLimitsCandidates_NeverPicksOutsideThem()
    {
        var selector = new MaxMarginalRelevanceExampleSelector<string>(Examples, new FakeEmbeddingGenerator(), e => e, k: 3, fetchK: 3, lambda: 0);

        var selected = await selector.SelectExamplesAsync("aaab", TestContext.Current.CancellationToken);

        Assert.Equal(3, selected.Count);
        Assert.DoesNotContain("zzzz", selected);
        Assert.DoesNotContain("aacc", selected);
    }

    [Theory]
    [InlineData(0, 20, 0.5f)]
    [InlineData(5, 4, 0.5f)]
    [InlineData(2, 4, -0.1f)]
    [InlineData(2, 4, 1.5f)]
    [InlineData(2, 4, float.NaN)]
    public void Constructor_InvalidParameters_Throw(int k, int fetchK, float lambda)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new MaxMarginalRelevanceExampleSelector<string>(Examples, new FakeEmbeddingGenerator(), e => e, k, fetchK, lambda));

    [Fact]
    public void Properties_ReflectConstructorArguments()
    {
        var selector = new MaxMarginalRelevanceExampleSelector<string>(Examples, new FakeEmbeddingGenerator(), e => e, k: 2, fetchK: 3, lambda: 0.25f);

        Assert.Equal((2, 3, 0.25f), (selector.K, selector.FetchK, selector.Lambda));
        Assert.Equal(Examples, selector.Examples);
    }
}
