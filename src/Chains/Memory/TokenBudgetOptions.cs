using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>What besides the messages a <see cref="TokenBudgetChatReducer"/> counts against its budget.</summary>
public sealed record TokenBudgetOptions
{
    private readonly int _reservedTokens;

    /// <summary>Gets the tools sent with every request; their definitions count against the budget.</summary>
    public IReadOnlyList<AITool>? Tools { get; init; }

    /// <summary>Gets tokens kept free, e.g. for the reply (context window = budget + maximum output tokens) or the
    /// template's reply priming.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int ReservedTokens
    {
        get => _reservedTokens;
        init => _reservedTokens = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(ReservedTokens), value, "ReservedTokens must not be negative.");
    }
}
