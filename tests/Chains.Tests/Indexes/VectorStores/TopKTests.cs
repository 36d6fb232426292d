using Chains.Indexes.VectorStores;

namespace Chains.Tests.Indexes.VectorStores;

public class TopKTests
{
    [Fact]
    public void Add_RandomScores_KeepsTheBestInOrder()
    {
        var random = new Random(11);
        var scores = Enumerable.Range(0, 500).Select(_ => (float)random.NextDouble()).ToArray();
        var top = new TopK(10);

        for (var row = 0; row < scores.Length; row++)
        {
            top.Add(scores[row], row);
        }

        var expected = scores.Select((s, row) => (s, row)).OrderByDescending(x => x.s).ThenBy(x => x.row).Take(10).ToArray();
        Assert.Equal(expected, top.ToSortedArray());
    }

    [Fact]
    public void Add_EqualScores_KeepsTheEarliestRows()
    {
        var top = new TopK(3);

        for (var row = 0; row < 10; row++)
        {
            top.Add(0.5f, row);
        }

        Assert.Equal([(0.5f, 0), (0.5f, 1), (0.5f, 2)], top.ToSortedArray());
    }

    [Fact]
    public void Threshold_NotFull_IsNegativeInfinityThenTheWorstKept()
    {
        var top = new TopK(2);
        top.Add(0.9f, 0);
        Assert.Equal(float.NegativeInfinity, top.Threshold);

        top.Add(0.1f, 1);
        Assert.Equal(0.1f, top.Threshold);

        top.Add(0.5f, 2);
        Assert.Equal(0.5f, top.Threshold);
        Assert.Equal(2, top.Count);
    }
}
