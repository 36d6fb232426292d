namespace Chains.Runnables;

/// <summary>Thrown when a step and every one of its fallbacks failed; <see cref="Exception.InnerException"/> is the
/// primary step's failure.</summary>
public sealed class RunnableFallbacksExhaustedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="RunnableFallbacksExhaustedException"/> class.</summary>
    public RunnableFallbacksExhaustedException()
        : base("The step and all its fallbacks failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunnableFallbacksExhaustedException"/> class.</summary>
    /// <param name="message">The message.</param>
    public RunnableFallbacksExhaustedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunnableFallbacksExhaustedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The primary step's failure.</param>
    public RunnableFallbacksExhaustedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
