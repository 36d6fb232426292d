using Chains.Prompts;

namespace Chains.Tests.Prompts;

/// <summary>A selector that returns fixed examples and records the queries it was asked.</summary>
public sealed class CountingSelector<TExample>(params TExample[] examples) : IExampleSelector<TExample>
{
    private readonly List<string> _queries = [];

    public IReadOnlyList<string> Queries
    {
        get
        {
            lock (_queries)
            {
                return _queries.ToArray();
            }
        }
    }

    public ValueTask<IReadOnlyList<TExample>> SelectExamplesAsync(string query, CancellationToken cancellationToken = default)
    {
        lock (_queries)
        {
            _queries.Add(query);
        }

        return new ValueTask<IReadOnlyList<TExample>>(examples);
    }
}
