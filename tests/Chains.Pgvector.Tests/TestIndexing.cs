using Chains.Indexes;
using Microsoft.Extensions.AI;

namespace Chains.Pgvector.Tests;

/// <summary>A deterministic 8-dimensional embedding from character codes; counts calls.</summary>
internal sealed class HashEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    private int _calls;

    public int Calls => _calls;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var embeddings = values.Select(v =>
        {
            var vector = new float[8];
            for (var i = 0; i < v.Length; i++)
            {
                vector[i % 8] += (v[i] % 31) + 1;
            }

            return new Embedding<float>(vector);
        });
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(embeddings));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
