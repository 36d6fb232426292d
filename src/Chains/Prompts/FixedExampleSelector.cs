namespace Chains.Prompts;

/// <summary>Selects every example, in order, whatever the input.</summary>
/// <typeparam name="TExample">The example type.</typeparam>
public sealed class FixedExampleSelector<TExample> : IExampleSelector<TExample>
{
    private readonly ValueTask<IReadOnlyList<TExample>> _result;

    /// <summary>Creates the selector.</summary>
    /// <param name="examples">The examples (copied).</param>
    /// <exception cref="ArgumentNullException"><paramref name="examples"/> is <see langword="null"/> or holds <see langword="null"/>.</exception>
    public FixedExampleSelector(IEnumerable<TExample> examples)
    {
        Examples = ExampleList.Copy(examples, nameof(examples));
        _result = new ValueTask<IReadOnlyList<TExample>>(Examples);
    }

    /// <summary>Gets the examples.</summary>
    public IReadOnlyList<TExample> Examples { get; }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TExample>> SelectExamplesAsync(string query, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _result;
    }
}

internal static class ExampleList
{
    public static TExample[] Copy<TExample>(IEnumerable<TExample> examples, string paramName)
    {
        ArgumentNullException.ThrowIfNull(examples, paramName);
        var copy = examples.ToArray();
        for (var i = 0; i < copy.Length; i++)
        {
            if (copy[i] is null)
            {
                throw new ArgumentNullException(paramName, $"Example {i} is null; remove it.");
            }
        }

        return copy;
    }
}
