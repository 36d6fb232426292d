using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Microsoft.Extensions.AI;

namespace Chains.Benchmarks;

/// <summary>
/// Re-indexing an unchanged 1,000-document corpus (hash check only: zero embedding calls) against indexing it the first
/// time (split, embed, upsert, record). The embedder does real CPU work per token (random-indexing vectors of 384
/// dimensions), far cheaper than a neural model, so the ratio is a lower bound. Embedding call counts are printed at the end.
/// </summary>
[BenchmarkCategory("indexing")]
public class IndexerBenchmarks
{
    private const int Documents = 1_000;
    private Document[] _corpus = [];
    private Indexer _fresh = null!;
    private Indexer _warm = null!;
    private BagOfWordsEmbeddingGenerator _freshEmbedder = null!;
    private BagOfWordsEmbeddingGenerator _warmEmbedder = null!;
    private IndexingResult? _lastFirst;
    private IndexingResult? _lastReindex;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        string[] words = [.. Enumerable.Range(0, 5_000).Select(i => $"w{i:x}{(char)('a' + (i % 26))}")];
        _corpus = [.. Enumerable.Range(0, Documents).Select(i => new Document(
            $"docs/{i:D4}.md",
            string.Join(' ', Enumerable.Range(0, 300).Select(_ => words[random.Next(words.Length)])),
            new DocumentMetadata([new("n", i)]),
            $"docs/{i:D4}.md"))];

        _warmEmbedder = new BagOfWordsEmbeddingGenerator();
        _warm = new Indexer(new ListStore(), _warmEmbedder, new FixedSizeSplitter(500), new InMemoryRecordManager(), new IndexerOptions { Cleanup = IndexCleanupMode.Full });
        _warm.IndexAsync(Stream(_corpus)).GetAwaiter().GetResult();
        _warmEmbedder.Reset();
    }

    // Runs before every iteration of both benchmarks so they share one job (one invocation per iteration) and get a ratio.
    [IterationSetup]
    public void FreshStore()
    {
        _freshEmbedder = new BagOfWordsEmbeddingGenerator();
        _fresh = new Indexer(new ListStore(), _freshEmbedder, new FixedSizeSplitter(500), new InMemoryRecordManager(), new IndexerOptions { Cleanup = IndexCleanupMode.Full });
    }

    [Benchmark(Baseline = true)]
    public async Task<IndexingResult> FirstIndex() => _lastFirst = await _fresh.IndexAsync(Stream(_corpus));

    [Benchmark]
    public async Task<IndexingResult> ReindexUnchanged() => _lastReindex = await _warm.IndexAsync(Stream(_corpus));

    [GlobalCleanup]
    public void Report()
    {
        if (_lastFirst is { } first)
        {
            Console.WriteLine($"// FirstIndex: {first.DocumentsAdded} documents, {first.ChunksWritten} chunks, {first.EmbeddingCalls} embedding calls ({first.EmbeddedTexts} texts)");
        }

        if (_lastReindex is { } again)
        {
            Console.WriteLine($"// ReindexUnchanged: {again.DocumentsSkipped} documents skipped, {again.EmbeddingCalls} embedding calls in this run, {_warmEmbedder.Calls} since setup");
        }
    }

    private static async IAsyncEnumerable<Document> Stream(Document[] documents)
    {
        foreach (var document in documents)
        {
            yield return document;
        }

        await Task.CompletedTask;
    }

    /// <summary>Random indexing: each word adds its own pseudo-random ±1 vector; the sum is normalized.</summary>
    private sealed class BagOfWordsEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        private const int Dimensions = 384;
        private int _calls;

        public int Calls => _calls;

        public void Reset() => _calls = 0;

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            var embeddings = new GeneratedEmbeddings<Embedding<float>>();
            foreach (var value in values)
            {
                embeddings.Add(new Embedding<float>(Embed(value)));
            }

            return Task.FromResult(embeddings);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }

        private static float[] Embed(string text)
        {
            var vector = new float[Dimensions];
            foreach (var range in text.AsSpan().Split(' '))
            {
                var word = text.AsSpan()[range];
                var state = 2166136261u;
                foreach (var c in word)
                {
                    state = (state ^ c) * 16777619u;
                }

                for (var d = 0; d < Dimensions; d++)
                {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    vector[d] += (state & 1) == 0 ? 1f : -1f;
                }
            }

            var norm = TensorPrimitives.Norm(vector);
            if (norm > 0)
            {
                TensorPrimitives.Divide(vector, norm, vector);
            }

            return vector;
        }
    }

    private sealed class FixedSizeSplitter(int size) : ITextSplitter
    {
        public IReadOnlyList<Document> Split(Document document)
        {
            var chunks = new List<Document>();
            for (int start = 0, index = 0; start < document.Content.Length; start += size, index++)
            {
                var length = Math.Min(size, document.Content.Length - start);
                chunks.Add(new Document($"{document.Id}#{index}", document.Content.Substring(start, length), document.Metadata.With("chunk", index), document.Source, new SourceSpan(start, length)));
            }

            return chunks;
        }
    }

    private sealed class ListStore : IVectorStore
    {
        private readonly Dictionary<string, VectorRecord> _records = new(StringComparer.Ordinal);

        public Task UpsertAsync(IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default)
        {
            foreach (var record in records)
            {
                _records[record.Document.Id] = record;
            }

            return Task.CompletedTask;
        }

        public Task<int> DeleteAsync(VectorSelection selection, CancellationToken cancellationToken = default)
            => Task.FromResult(selection.Ids?.Count(_records.Remove) ?? 0);

        public Task<IReadOnlyList<VectorSearchResult>> SearchAsync(ReadOnlyMemory<float> vector, VectorSearchOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult<IReadOnlyList<VectorSearchResult>>([.. _records.Values
                .Select(r => new VectorSearchResult(r.Document, TensorPrimitives.CosineSimilarity(vector.Span, r.Vector.Span)))
                .OrderByDescending(r => r.Score)
                .Take(options?.Top ?? 4)]);
    }
}
