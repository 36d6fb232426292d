namespace Chains.Prompts;

/// <summary>
/// Chooses which examples a few-shot template shows for an input. Implementations: <see cref="FixedExampleSelector{TExample}"/>
/// (all), <see cref="LengthBasedExampleSelector{TExample}"/> (as many as fit a budget),
/// <see cref="SemanticSimilarityExampleSelector{TExample}"/> (most similar) and
/// <see cref="MaxMarginalRelevanceExampleSelector{TExample}"/> (similar yet diverse).
/// </summary>
/// <typeparam name="TExample">The example type: a record or a dictionary formatted by the few-shot template's example template.</typeparam>
/// <remarks>Implementations must be thread-safe: one selector serves concurrent formats.</remarks>
public interface IExampleSelector<TExample>
{
    /// <summary>Selects the examples to show for an input.</summary>
    /// <param name="query">The input's text variables, formatted and joined by spaces.</param>
    /// <param name="cancellationToken">A token that cancels the selection.</param>
    /// <returns>The examples, in the order they are shown.</returns>
    ValueTask<IReadOnlyList<TExample>> SelectExamplesAsync(string query, CancellationToken cancellationToken = default);
}
