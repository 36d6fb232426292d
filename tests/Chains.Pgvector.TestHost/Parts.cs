using Chains.Indexes;
using Microsoft.Extensions.AI;

namespace Chains.Pgvector.TestHost;

/// <summary>A deterministic 8-dimensional embedding from character codes, each call slowed by a fixed delay.</summary>
internal sealed class TagEmbedder(TimeSpan delay) : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int Dimensions = 8;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        return new GeneratedEmbeddings<Embedding<float>>(values.Select(v =>
        {
            var vector = new float[Dimensions];
            for (var i = 0; i < v.Length; i++)
            {
                vector[i % Dimensions] += (v[i] % 31) + 1;
            }

            return new Embedding<float>(vector);
        }));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
