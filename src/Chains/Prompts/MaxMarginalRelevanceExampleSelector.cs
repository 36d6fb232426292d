using Microsoft.Extensions.AI;

namespace Chains.Prompts;

/// <summary>
/// Selects examples that are similar to the input yet different from each other (maximal marginal relevance): among the
/// <see cref="FetchK"/> most similar examples it repeatedly picks the one maximizing
/// <c>λ·sim(query, example) − (1 − λ)·max sim(example, already selected)</c>, until <see cref="K"/> are chosen.
/// </summary>
/// <typeparam name="TExample">The example type.</typeparam>
/// <remarks>The examples are embedded in one call on first use (lazily, once, thread-safely).</remarks>
public sealed class MaxMarginalRelevanceExampleSelector<TExample> : IExampleSelector<TExample>
{
    private readonly ExampleIndex<TExample> _index;

    /// <summary>Creates the selector.</summary>
    /// <param name="examples">The examples.</param>
    /// <param name="embeddingGenerator">Embeds the examples and the queries.</param>
    /// <param name="exampleText">The text that represents an example when embedding it.</param>
    /// <param name="k">How many examples to select.</param>
    /// <param name="fetchK">How many of the most similar examples to consider; at least <paramref name="k"/>.</param>
    /// <param name="lambda">Between 0 (only diversity counts) and 1 (only similarity counts, like
    /// <see cref="SemanticSimilarityExampleSelector{TExample}"/>).</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1, <paramref name="fetchK"/> less
    /// than <paramref name="k"/>, or <paramref name="lambda"/> outside [0, 1].</exception>
    public MaxMarginalRelevanceExampleSelector(IEnumerable<TExample> examples, IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator, Func<TExample, string> exampleText, int k = 4, int fetchK = 20, float lambda = 0.5f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fetchK, k);
        if (!(lambda >= 0 && lambda <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "Lambda must be between 0 (diversity only) and 1 (similarity only).");
        }

        _index = new ExampleIndex<TExample>(examples, embeddingGenerator, exampleText);
        K = k;
        FetchK = fetchK;
        Lambda = lambda;
    }

    /// <summary>Gets the examples.</summary>
    public IReadOnlyList<TExample> Examples => _index.Examples;

    /// <summary>Gets how many examples are selected.</summary>
    public int K { get; }

    /// <summary>Gets how many of the most similar examples are considered.</summary>
    public int FetchK { get; }

    /// <summary>Gets the trade-off between similarity (1) and diversity (0).</summary>
    public float Lambda { get; }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<TExample>> SelectExamplesAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var vectors = await _index.GetEmbeddingsAsync(cancellationToken);
        if (vectors.Length == 0)
        {
            return [];
        }

        var similarity = ExampleIndex<TExample>.Similarities(await _index.EmbedQueryAsync(query, cancellationToken), vectors);
        var candidates = ExampleIndex<TExample>.TopIndexes(similarity, FetchK).ToList();
        var selected = new List<int>(Math.Min(K, candidates.Count));
        var redundancy = new float[candidates.Count];
        Array.Fill(redundancy, float.NegativeInfinity);
        while (selected.Count < K && candidates.Count > 0)
        {
            var best = 0;
            var bestScore = float.NegativeInfinity;
            for (var c = 0; c < candidates.Count; c++)
            {
                var penalty = selected.Count == 0 ? 0 : redundancy[c];
                var score = (Lambda * similarity[candidates[c]]) - ((1 - Lambda) * penalty);
                if (score > bestScore)
                {
                    bestScore = score;
                    best = c;
                }
            }

            var chosen = candidates[best];
            selected.Add(chosen);
            candidates.RemoveAt(best);
            Array.Copy(redundancy, best + 1, redundancy, best, candidates.Count - best);
            for (var c = 0; c < candidates.Count; c++)
            {
                redundancy[c] = Math.Max(redundancy[c], VectorMath.CosineSimilarity(vectors[candidates[c]].Span, vectors[chosen].Span));
            }
        }

        return selected.Select(i => _index.Examples[i]).ToArray();
    }
}
