using Microsoft.Extensions.AI;

namespace Chains.Tests.Indexes.Embeddings;

/// <summary>
/// A hand-written embedding generator that records every request. By default a text's vector is
/// (length, first char, last char) so it depends on the content only; <see cref="Callback"/> overrides it.
/// </summary>
public sealed class RecordingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Lock _lock = new();
    private readonly List<IReadOnlyList<string>> _requests = [];

    public Func<IReadOnlyList<string>, EmbeddingGenerationOptions?, CancellationToken, Task<GeneratedEmbeddings<Embedding<float>>>>? Callback { get; set; }

    public EmbeddingGeneratorMetadata Metadata { get; set; } = new("recording", null, "recording-model", 3);

    public IReadOnlyList<IReadOnlyList<string>> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public static Embedding<float> VectorOf(string text)
        => new(new float[] { text.Length, text.Length > 0 ? text[0] : 0, text.Length > 0 ? text[^1] : 0 });

    public static GeneratedEmbeddings<Embedding<float>> Embed(IEnumerable<string> texts) => new(texts.Select(VectorOf));

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values.ToList();
        lock (_lock)
        {
            _requests.Add(list);
        }

        if (Callback is { } callback)
        {
            return callback(list, options, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Embed(list));
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType.IsInstanceOfType(Metadata) ? Metadata
            : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
            : null;

    public void Dispose()
    {
    }
}
