using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;

namespace Chains.Prompts;

/// <summary>
/// Examples with their embeddings, computed lazily on first use, once, even under concurrent callers. The embedding call
/// is not tied to any one caller's token (others may be waiting on it); each caller's token cancels only its wait. A
/// failed embedding call is retried by the next caller.
/// </summary>
internal sealed class ExampleIndex<TExample>
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly string[] _texts;
    private Task<ReadOnlyMemory<float>[]>? _embeddings;

    public ExampleIndex(IEnumerable<TExample> examples, IEmbeddingGenerator<string, Embedding<float>> generator, Func<TExample, string> exampleText)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(exampleText);
        Examples = ExampleList.Copy(examples, nameof(examples));
        _generator = generator;
        _texts = new string[Examples.Length];
        for (var i = 0; i < Examples.Length; i++)
        {
            _texts[i] = exampleText(Examples[i]) ?? throw new ArgumentException($"The example text function returned null for example {i}; return the text to embed.", nameof(exampleText));
        }
    }

    public TExample[] Examples { get; }

    public async ValueTask<ReadOnlyMemory<float>[]> GetEmbeddingsAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _embeddings);
        while (current is null || current.IsFaulted || current.IsCanceled)
        {
            // No embeddings yet, or the last attempt failed: start one, unless another caller just did.
            var source = new TaskCompletionSource<ReadOnlyMemory<float>[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            var seen = Interlocked.CompareExchange(ref _embeddings, source.Task, current);
            if (seen == current)
            {
                _ = EmbedAllAsync(source);
                current = source.Task;
                break;
            }

            current = seen;
        }

        return await current.WaitAsync(cancellationToken);
    }

    public async ValueTask<ReadOnlyMemory<float>> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        var embeddings = await _generator.GenerateAsync([query], null, cancellationToken);
        return embeddings.Count == 1
            ? embeddings[0].Vector
            : throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for one query.");
    }

    /// <summary>Cosine similarity of the query to every example.</summary>
    public static float[] Similarities(ReadOnlyMemory<float> query, ReadOnlyMemory<float>[] vectors)
    {
        var scores = new float[vectors.Length];
        for (var i = 0; i < vectors.Length; i++)
        {
            scores[i] = VectorMath.CosineSimilarity(query.Span, vectors[i].Span);
        }

        return scores;
    }

    /// <summary>Indexes of the <paramref name="count"/> highest scores, best first (ties keep example order).</summary>
    public static int[] TopIndexes(float[] scores, int count)
        => Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(count).ToArray();

    private async Task EmbedAllAsync(TaskCompletionSource<ReadOnlyMemory<float>[]> source)
    {
        try
        {
            if (_texts.Length == 0)
            {
                source.SetResult([]);
                return;
            }

            var embeddings = await _generator.GenerateAsync(_texts, null, CancellationToken.None);
            if (embeddings.Count != _texts.Length)
            {
                throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for {_texts.Length} examples.");
            }

            source.SetResult(embeddings.Select(e => e.Vector).ToArray());
        }
        catch (Exception ex)
        {
            source.SetException(ex);
        }
    }
}

/// <summary>Vector arithmetic with <see cref="Vector{T}"/> SIMD.</summary>
internal static class VectorMath
{
    /// <summary>Cosine similarity of two vectors; 0 when either is all zeros.</summary>
    /// <exception cref="InvalidOperationException">The vectors have different lengths.</exception>
    public static float CosineSimilarity(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
        {
            throw new InvalidOperationException($"Cannot compare embeddings of {x.Length} and {y.Length} dimensions; use one embedding model for the examples and the query.");
        }

        var i = 0;
        float dot = 0, xx = 0, yy = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
            Vector<float> vdot = default, vxx = default, vyy = default;
            for (var k = 0; k < vx.Length; k++)
            {
                vdot += vx[k] * vy[k];
                vxx += vx[k] * vx[k];
                vyy += vy[k] * vy[k];
            }

            dot = Vector.Sum(vdot);
            xx = Vector.Sum(vxx);
            yy = Vector.Sum(vyy);
            i = vx.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            dot += x[i] * y[i];
            xx += x[i] * x[i];
            yy += y[i] * y[i];
        }

        return xx == 0 || yy == 0 ? 0 : dot / (MathF.Sqrt(xx) * MathF.Sqrt(yy));
    }
}
