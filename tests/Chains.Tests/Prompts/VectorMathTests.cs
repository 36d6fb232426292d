using Chains.Prompts;

namespace Chains.Tests.Prompts;

public class VectorMathTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(1001)]
    public void CosineSimilarity_AnyLength_MatchesScalarComputation(int length)
    {
        var random = new Random(length);
        var x = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var y = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        double dot = 0, xx = 0, yy = 0;
        for (var i = 0; i < length; i++)
        {
            dot += x[i] * y[i];
            xx += x[i] * x[i];
            yy += y[i] * y[i];
        }

        Assert.Equal(dot / Math.Sqrt(xx * yy), VectorMath.CosineSimilarity(x, y), 4);
    }

    [Fact]
    public void CosineSimilarity_SameDirection_IsOne()
        => Assert.Equal(1f, VectorMath.CosineSimilarity([1, 2, 3], [2, 4, 6]), 5);

    [Fact]
    public void CosineSimilarity_ZeroVector_IsZero()
        => Assert.Equal(0f, VectorMath.CosineSimilarity([0, 0], [1, 1]));

    [Fact]
    public void CosineSimilarity_DifferentLengths_ThrowsNamingBoth()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => VectorMath.CosineSimilarity([1, 2], [1, 2, 3]));

        Assert.Contains("2 and 3", ex.Message, StringComparison.Ordinal);
    }
}
