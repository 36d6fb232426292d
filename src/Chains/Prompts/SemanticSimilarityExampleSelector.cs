using Microsoft.Extensions.AI;

namespace Chains.Prompts;

/// <summary>
/// Selects the <see cref="K"/> examples most similar to the input by cosine similarity of embeddings, most similar first.
/// </summary>
/// <typeparam name="TExample">The example type.</typeparam>
/// <remarks>The examples are embedded in one call on first use (lazily, once, thread-safely); each selection then
/// embeds only the query.</remarks>
public sealed class SemanticSimilarityExampleSelector<TExample> : IExampleSelector<TExample>
{
    private readonly ExampleIndex<TExample> _index;

    /// <summary>Creates the selector.</summary>
    /// <param name="examples">The examples.</param>
    /// <param name="embeddingGenerator">Embeds the examples and the queries.</param>
    /// <param name="exampleText">The text that represents an example when embedding it (e.g. its question).</param>
    /// <param name="k">How many examples to select.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    public SemanticSimilarityExampleSelector(IEnumerable<TExample> examples, IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator, Func<TExample, string> exampleText, int k = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _index = new ExampleIndex<TExample>(examples, embeddingGenerator, exampleText);
        K = k;
    }

    /// <summary>Gets the examples.</summary>
    public IReadOnlyList<TExample> Examples => _index.Examples;

    /// <summary>Gets how many examples are selected (fewer when there are fewer examples).</summary>
    public int K { get; }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<TExample>> SelectExamplesAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var vectors = await _index.GetEmbeddingsAsync(cancellationToken);
        if (vectors.Length == 0)
        {
            return [];
        }

        var scores = ExampleIndex<TExample>.Similarities(await _index.EmbedQueryAsync(query, cancellationToken), vectors);
        return ExampleIndex<TExample>.TopIndexes(scores, K).Select(i => _index.Examples[i]).ToArray();
    }
}
