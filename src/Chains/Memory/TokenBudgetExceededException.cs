namespace Chains.Memory;

/// <summary>The part of a prompt that cannot be dropped (system messages, tool definitions, reserved tokens and the latest
/// message with its tool call) needs more tokens than the budget allows.</summary>
public sealed class TokenBudgetExceededException : InvalidOperationException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public TokenBudgetExceededException()
        : base("The prompt does not fit the token budget.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public TokenBudgetExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TokenBudgetExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance naming the budget and what the prompt needs at least.</summary>
    /// <param name="maxTokens">The budget.</param>
    /// <param name="requiredTokens">The tokens the prompt needs at least.</param>
    public TokenBudgetExceededException(int maxTokens, int requiredTokens)
        : base($"The prompt needs at least {requiredTokens} tokens (system messages, tools, reserved tokens and the latest message), but the budget is {maxTokens} tokens.")
    {
        MaxTokens = maxTokens;
        RequiredTokens = requiredTokens;
    }

    /// <summary>Gets the budget, in tokens.</summary>
    public int MaxTokens { get; }

    /// <summary>Gets the tokens the prompt needs at least.</summary>
    public int RequiredTokens { get; }
}
