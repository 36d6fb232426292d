using Microsoft.Extensions.AI;

namespace Chains.Tests.Memory;

/// <summary>A hand-written embedder: one dimension per keyword, set when the text mentions it (case-insensitive).</summary>
public sealed class KeywordEmbeddingGenerator(params string[] keywords) : IEmbeddingGenerator<string, Embedding<float>>
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public List<string> Inputs { get; } = [];

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            lock (Inputs)
            {
                Inputs.Add(value);
            }

            var vector = new float[keywords.Length + 1];
            vector[^1] = 0.01f; // never all zeros
            for (var i = 0; i < keywords.Length; i++)
            {
                vector[i] = value.Contains(keywords[i], StringComparison.OrdinalIgnoreCase) ? 1 : 0;
            }

            embeddings.Add(new Embedding<float>(vector));
        }

        return Task.FromResult(embeddings);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
