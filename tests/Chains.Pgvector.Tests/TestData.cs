using Chains.Indexes;

namespace Chains.Pgvector.Tests;

/// <summary>Deterministic vectors and records for the tests.</summary>
internal static class TestData
{
    /// <summary>Makes a random vector with components in [-1, 1).</summary>
    public static float[] RandomVector(Random random, int dimensions)
    {
        var v = new float[dimensions];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return v;
    }

    /// <summary>Makes vectors around <paramref name="clusters"/> random centres (spread 0.3), so nearest-neighbour search has structure.</summary>
    public static float[][] Clustered(int count, int dimensions, int clusters, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, clusters).Select(_ => RandomVector(random, dimensions)).ToArray();
        return Enumerable.Range(0, count).Select(i =>
        {
            var centre = centres[i % clusters];
            var v = new float[dimensions];
            for (var d = 0; d < dimensions; d++)
            {
                v[d] = centre[d] + (float)((random.NextDouble() - 0.5) * 0.6);
            }

            return v;
        }).ToArray();
    }

    /// <summary>Makes a record with metadata from pairs.</summary>
    public static VectorRecord Record(string id, string content, float[] vector, params (string Key, object? Value)[] metadata)
        => new(new Document(id, content, new DocumentMetadata(metadata.Select(m => new KeyValuePair<string, object?>(m.Key, m.Value)))), vector);

    /// <summary>Gets the ids of results, in order.</summary>
    public static string[] Ids(IEnumerable<VectorSearchResult> results) => results.Select(r => r.Document.Id).ToArray();

    /// <summary>Turns a list into an async stream.</summary>
    public static async IAsyncEnumerable<T> Stream<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }
}
