using Microsoft.Extensions.AI;

namespace Chains.Tests.Prompts;

/// <summary>A deterministic embedding generator: bag-of-characters vectors (each lower-cased character adds 1 to
/// dimension <c>char % 64</c>), so texts sharing letters are similar.</summary>
public sealed class FakeEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int Dimensions = 64;

    private int _calls;

    /// <summary>Number of <see cref="GenerateAsync"/> calls.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Every text embedded so far, in call order.</summary>
    public List<string> Embedded { get; } = [];

    /// <summary>Runs before each call (e.g. to delay or fail it); default none.</summary>
    public Func<IReadOnlyList<string>, CancellationToken, Task>? BeforeCall { get; set; }

    public static float[] Vectorize(string text)
    {
        var vector = new float[Dimensions];
        foreach (var c in text.ToLowerInvariant())
        {
            if (!char.IsWhiteSpace(c))
            {
                vector[c % Dimensions] += 1;
            }
        }

        return vector;
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var list = values.ToList();
        lock (Embedded)
        {
            Embedded.AddRange(list);
        }

        if (BeforeCall is { } before)
        {
            await before(list, cancellationToken);
        }

        return new GeneratedEmbeddings<Embedding<float>>(list.Select(v => new Embedding<float>(Vectorize(v))));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
