using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Chains.Indexes;
using Chains.Indexes.VectorStores;

namespace Chains.Benchmarks;

/// <summary>
/// Exact top-10 search over 100,000 × 384 (MiniLM-sized) unit vectors: <see cref="InMemoryVectorStore.SearchAsync"/>
/// against a hand-written single-threaded scan, TensorPrimitives.Dot over one contiguous array plus a top-10 selection.
/// Target: the store within 1.5× of the raw scan.
/// </summary>
[BenchmarkCategory("vectors")]
public class VectorSearchBenchmarks
{
    private const int Count = 100_000;
    private const int Dimension = 384;
    private const int Top = 10;

    private readonly VectorSearchOptions _options = new() { Top = Top };
    private float[] _vectors = null!;
    private float[] _query = null!;
    private InMemoryVectorStore _store = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _vectors = new float[Count * Dimension];
        for (var i = 0; i < _vectors.Length; i++)
        {
            _vectors[i] = (float)((random.NextDouble() * 2) - 1);
        }

        for (var row = 0; row < Count; row++)
        {
            Normalize(_vectors.AsSpan(row * Dimension, Dimension));
        }

        _query = new float[Dimension];
        for (var i = 0; i < Dimension; i++)
        {
            _query[i] = (float)((random.NextDouble() * 2) - 1);
        }

        Normalize(_query);

        _store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = Dimension, Distance = VectorDistance.Cosine });
        const int batch = 10_000;
        for (var start = 0; start < Count; start += batch)
        {
            var records = new VectorRecord[batch];
            for (var i = 0; i < batch; i++)
            {
                var row = start + i;
                records[i] = new VectorRecord(new Document($"doc-{row}", $"content {row}"), _vectors.AsMemory(row * Dimension, Dimension));
            }

            _store.UpsertAsync(records).GetAwaiter().GetResult();
        }

        // Both must find the same best match, or the comparison means nothing.
        var raw = RawTensorPrimitivesScan();
        var store = _store.SearchAsync(_query, _options).GetAwaiter().GetResult()[0].Document.Id;
        if (store != $"doc-{raw}")
        {
            throw new InvalidOperationException($"The store found {store}, the raw scan doc-{raw}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    [Benchmark(Baseline = true)]
    public int RawTensorPrimitivesScan()
    {
        Span<float> scores = stackalloc float[Top];
        Span<int> rows = stackalloc int[Top];
        scores.Fill(float.NegativeInfinity);
        var threshold = float.NegativeInfinity;
        var query = _query.AsSpan();
        var vectors = _vectors.AsSpan();
        for (int row = 0, offset = 0; row < Count; row++, offset += Dimension)
        {
            var score = TensorPrimitives.Dot(vectors.Slice(offset, Dimension), query);
            if (score <= threshold)
            {
                continue;
            }

            // Insertion into the sorted (descending) top-k.
            var at = Top - 1;
            while (at > 0 && scores[at - 1] < score)
            {
                scores[at] = scores[at - 1];
                rows[at] = rows[at - 1];
                at--;
            }

            scores[at] = score;
            rows[at] = row;
            threshold = scores[Top - 1];
        }

        return rows[0];
    }

    [Benchmark]
    public async Task<IReadOnlyList<VectorSearchResult>> InMemoryVectorStoreSearch() => await _store.SearchAsync(_query, _options);

    private static void Normalize(Span<float> vector) => TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
}
