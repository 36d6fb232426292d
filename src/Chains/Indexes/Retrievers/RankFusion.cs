namespace Chains.Indexes.Retrievers;

/// <summary>Combines several rankings of documents into one.</summary>
public static class RankFusion
{
    /// <summary>The usual constant of reciprocal rank fusion (from Cormack et al., 2009).</summary>
    public const int DefaultK = 60;

    /// <summary>
    /// Reciprocal rank fusion: a document's fused score is <c>Σ weightᵢ / (k + rankᵢ)</c> over the rankings it appears
    /// in (ranks from 1). It needs no score calibration between rankings, so it fuses BM25 and vector results directly.
    /// </summary>
    /// <param name="rankings">The rankings, best first; documents are matched by id (a repeat within one ranking is ignored and takes no rank).</param>
    /// <param name="weights">One weight per ranking, or <see langword="null"/> for 1 each.</param>
    /// <param name="k">The rank offset (default 60): larger values flatten the difference between top and lower ranks.</param>
    /// <returns>Every document once, best fused score first; ties keep the order in which documents were first seen.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rankings"/> or one of them is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The number of weights differs from the number of rankings, or a weight is negative or not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is negative.</exception>
    public static IReadOnlyList<ScoredDocument> Reciprocal(IReadOnlyList<IReadOnlyList<Document>> rankings, IReadOnlyList<double>? weights = null, int k = DefaultK)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (weights is not null)
        {
            if (weights.Count != rankings.Count)
            {
                throw new ArgumentException($"There are {weights.Count} weights for {rankings.Count} rankings; give one weight per ranking.", nameof(weights));
            }

            if (weights.Any(w => !(w >= 0) || double.IsInfinity(w)))
            {
                throw new ArgumentException("Weights must be finite and not negative.", nameof(weights));
            }
        }

        var fused = new Dictionary<string, (double Score, int FirstSeen, Document Document)>(StringComparer.Ordinal);
        for (var r = 0; r < rankings.Count; r++)
        {
            var ranking = rankings[r] ?? throw new ArgumentNullException(nameof(rankings), $"rankings[{r}] is null.");
            var weight = weights?[r] ?? 1.0;
            var seenInRanking = new HashSet<string>(StringComparer.Ordinal);
            var rank = 0;
            foreach (var document in ranking)
            {
                if (!seenInRanking.Add(document.Id))
                {
                    continue;
                }

                var contribution = weight / (k + ++rank);
                fused[document.Id] = fused.TryGetValue(document.Id, out var entry)
                    ? (entry.Score + contribution, entry.FirstSeen, entry.Document)
                    : (contribution, fused.Count, document);
            }
        }

        return fused.Values
            .OrderByDescending(e => e.Score)
            .ThenBy(e => e.FirstSeen)
            .Select(e => new ScoredDocument(e.Document, e.Score))
            .ToArray();
    }
}
