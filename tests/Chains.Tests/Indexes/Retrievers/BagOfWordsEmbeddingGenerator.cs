using System.Text;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Indexes.Retrievers;

/// <summary>
/// A deterministic stand-in for a sentence-embedding model: each lower-cased word and each CJK character and character
/// bigram is hashed (FNV-1a) into one of <see cref="Dimension"/> buckets; the vector is normalised. Texts sharing words
/// are similar; texts sharing none are orthogonal (up to hash collisions).
/// </summary>
public sealed class BagOfWordsEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int Dimension = 512;

    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public static float[] Embed(string text)
    {
        var vector = new float[Dimension];
        foreach (var term in Terms(text))
        {
            vector[Bucket(term)] += 1;
        }

        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        if (norm > 0)
        {
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] /= norm;
            }
        }

        return vector;
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(Embed(v)))));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private static IEnumerable<string> Terms(string text)
    {
        var word = new StringBuilder();
        char? previous = null;
        foreach (var c in text)
        {
            if (c is >= '\u4e00' and <= '\u9fff')
            {
                if (word.Length > 0)
                {
                    yield return word.ToString();
                    word.Clear();
                }

                yield return c.ToString();
                if (previous is { } p)
                {
                    yield return string.Concat(p, c);
                }

                previous = c;
            }
            else
            {
                previous = null;
                if (char.IsLetterOrDigit(c))
                {
                    word.Append(char.ToLowerInvariant(c));
                }
                else if (word.Length > 0)
                {
                    yield return word.ToString();
                    word.Clear();
                }
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }

    private static int Bucket(string term)
    {
        var hash = 2166136261u;
        foreach (var c in term)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Dimension);
    }
}
