using Microsoft.Extensions.AI;

namespace Chains.Tests.Models;

/// <summary>A hand-written embedding generator: each value's vector is (length, index in the call); callbacks override it.</summary>
public sealed class FakeEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private int _calls;

    public Func<IReadOnlyList<string>, EmbeddingGenerationOptions?, CancellationToken, Task<GeneratedEmbeddings<Embedding<float>>>>? GenerateAsyncCallback { get; set; }

    public EmbeddingGeneratorMetadata Metadata { get; set; } = new("fake", null, "fake-embedder");

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<string>? LastValues { get; private set; }

    public EmbeddingGenerationOptions? LastOptions { get; private set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var list = values.ToList();
        LastValues = list;
        LastOptions = options;
        if (GenerateAsyncCallback is { } callback)
        {
            return callback(list, options, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(list.Select((v, i) => new Embedding<float>(new float[] { v.Length, i })));
        return Task.FromResult(embeddings);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType.IsInstanceOfType(Metadata) ? Metadata
            : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
            : null;

    public void Dispose()
    {
    }
}
