namespace Chains.Prompts;

/// <summary>
/// Selects examples in order while they fit a length budget: the input's own length is taken from the budget first, then
/// each formatted example's length, stopping at the first example that does not fit. Measure characters (the default)
/// or tokens by passing a tokenizer's count as the length function.
/// </summary>
/// <typeparam name="TExample">The example type.</typeparam>
public sealed class LengthBasedExampleSelector<TExample> : IExampleSelector<TExample>
{
    private readonly TExample[] _examples;
    private readonly int[] _lengths;
    private readonly Func<string, int> _lengthFunction;

    /// <summary>Creates the selector; each example is formatted and measured once, here.</summary>
    /// <param name="examples">The examples, in preference order.</param>
    /// <param name="exampleTemplate">How an example is shown (the few-shot template's example template).</param>
    /// <param name="maxLength">The budget for the input plus the selected examples.</param>
    /// <param name="lengthFunction">Measures a text; <see langword="null"/> counts characters.</param>
    /// <exception cref="ArgumentNullException"><paramref name="examples"/> or <paramref name="exampleTemplate"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is negative.</exception>
    /// <exception cref="PromptVariablesException">The examples do not match the example template's variables.</exception>
    public LengthBasedExampleSelector(IEnumerable<TExample> examples, PromptTemplate exampleTemplate, int maxLength, Func<string, int>? lengthFunction = null)
    {
        ArgumentNullException.ThrowIfNull(exampleTemplate);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        _examples = ExampleList.Copy(examples, nameof(examples));
        _lengthFunction = lengthFunction ?? (static text => text.Length);
        MaxLength = maxLength;
        _lengths = new int[_examples.Length];
        for (var i = 0; i < _examples.Length; i++)
        {
            _lengths[i] = _lengthFunction(exampleTemplate.Format(_examples[i]));
        }
    }

    /// <summary>Gets the examples, in preference order.</summary>
    public IReadOnlyList<TExample> Examples => _examples;

    /// <summary>Gets the budget for the input plus the selected examples.</summary>
    public int MaxLength { get; }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TExample>> SelectExamplesAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var remaining = MaxLength - _lengthFunction(query);
        var selected = new List<TExample>();
        for (var i = 0; i < _examples.Length && remaining - _lengths[i] >= 0; i++)
        {
            selected.Add(_examples[i]);
            remaining -= _lengths[i];
        }

        return new ValueTask<IReadOnlyList<TExample>>(selected);
    }
}
