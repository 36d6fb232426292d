namespace Chains.Agents;

/// <summary>
/// An error a tool reports to the model on purpose ("no city named 'Pariss'; did you mean 'Paris'?"). The agent executor
/// always sends its message to the model, even when <see cref="AgentExecutorOptions.IncludeErrorDetails"/> is off, and
/// counts the call as failed.
/// </summary>
public sealed class AgentToolException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="AgentToolException"/> class.</summary>
    public AgentToolException()
        : base("The tool failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="AgentToolException"/> class.</summary>
    /// <param name="message">The message for the model.</param>
    public AgentToolException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="AgentToolException"/> class.</summary>
    /// <param name="message">The message for the model.</param>
    /// <param name="innerException">The underlying error (never shown to the model).</param>
    public AgentToolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
