using System.Numerics.Tensors;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>
/// Maximal marginal relevance: fetches the <see cref="MaxMarginalRelevanceRetrieverOptions.FetchTop"/> nearest
/// documents with their vectors, then picks <see cref="MaxMarginalRelevanceRetrieverOptions.Top"/> of them one at a time,
/// each maximising <c>λ·sim(query, doc) − (1 − λ)·max sim(doc, already picked)</c> (cosine similarities), so the result
/// is relevant without near-duplicates.
/// </summary>
/// <remarks>The store must return vectors when asked with <see cref="VectorSearchOptions.IncludeVectors"/>.</remarks>
public sealed class MaxMarginalRelevanceRetriever : Retriever
{
    private readonly QueryEmbedder _embedder;
    private readonly VectorSearchOptions _search;

    /// <summary>Initializes a new retriever.</summary>
    /// <param name="store">The store to search.</param>
    /// <param name="embeddingGenerator">Embeds the query; use the model that embedded the stored documents.</param>
    /// <param name="options">How many documents, candidates, the λ trade-off and a filter; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="embeddingGenerator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><c>Top</c> is less than 1, <c>FetchTop</c> is less than <c>Top</c>, or
    /// <c>Lambda</c> is outside [0, 1].</exception>
    public MaxMarginalRelevanceRetriever(IVectorStore store, IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator, MaxMarginalRelevanceRetrieverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new MaxMarginalRelevanceRetrieverOptions();
        if (options.Top < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Top, "Top must be at least 1.");
        }

        if (options.FetchTop < options.Top)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FetchTop, $"FetchTop ({options.FetchTop}) must be at least Top ({options.Top}).");
        }

        if (!(options.Lambda is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Lambda, "Lambda must be between 0 (diversity) and 1 (relevance).");
        }

        Store = store;
        Options = options;
        _embedder = new QueryEmbedder(embeddingGenerator);
        _search = new VectorSearchOptions { Top = options.FetchTop, Filter = options.Filter, MinScore = options.MinScore, IncludeVectors = true };
    }

    /// <summary>Gets the store searched.</summary>
    public IVectorStore Store { get; }

    /// <summary>Gets the options.</summary>
    public MaxMarginalRelevanceRetrieverOptions Options { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The store returned matches without vectors.</exception>
    protected internal override async ValueTask<IReadOnlyList<Document>> InvokeCoreAsync(string input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var query = await _embedder.EmbedAsync(input, context, cancellationToken);
        var candidates = await Store.SearchAsync(query, _search, cancellationToken);
        foreach (var candidate in candidates)
        {
            if (candidate.Vector.Length != query.Length)
            {
                throw new InvalidOperationException($"{Store.GetType().Name} returned '{candidate.Document.Id}' without its vector (or with {candidate.Vector.Length} dimensions instead of {query.Length}); maximal marginal relevance needs a store that honours {nameof(VectorSearchOptions)}.{nameof(VectorSearchOptions.IncludeVectors)}.");
            }
        }

        var picked = Select(query.Span, candidates, Options.Top, Options.Lambda);
        var documents = new Document[picked.Length];
        for (var i = 0; i < picked.Length; i++)
        {
            documents[i] = candidates[picked[i]].Document;
        }

        return documents;
    }

    /// <summary>Greedy MMR selection; returns candidate indexes in the order picked.</summary>
    internal static int[] Select(ReadOnlySpan<float> query, IReadOnlyList<VectorSearchResult> candidates, int top, double lambda)
    {
        var n = candidates.Count;
        var relevance = new double[n];
        var redundancy = new double[n];
        var taken = new bool[n];
        for (var i = 0; i < n; i++)
        {
            relevance[i] = Cosine(query, candidates[i].Vector.Span);
            redundancy[i] = double.NegativeInfinity;
        }

        var picked = new int[Math.Min(top, n)];
        for (var p = 0; p < picked.Length; p++)
        {
            var best = -1;
            var bestScore = double.NegativeInfinity;
            for (var i = 0; i < n; i++)
            {
                if (taken[i])
                {
                    continue;
                }

                var score = (lambda * relevance[i]) - ((1 - lambda) * (p == 0 ? 0 : redundancy[i]));
                if (best < 0 || score > bestScore)
                {
                    best = i;
                    bestScore = score;
                }
            }

            picked[p] = best;
            taken[best] = true;
            var chosen = candidates[best].Vector.Span;
            for (var i = 0; i < n; i++)
            {
                if (!taken[i])
                {
                    redundancy[i] = Math.Max(redundancy[i], Cosine(candidates[i].Vector.Span, chosen));
                }
            }
        }

        return picked;
    }

    private static double Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var norms = TensorPrimitives.Norm(x) * TensorPrimitives.Norm(y);
        return norms == 0 ? 0 : TensorPrimitives.Dot(x, y) / norms;
    }
}
