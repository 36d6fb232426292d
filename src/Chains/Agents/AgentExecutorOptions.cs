using Microsoft.Extensions.AI;

namespace Chains.Agents;

/// <summary>
/// Settings of an <see cref="AgentExecutor"/>: instructions, limits, tool concurrency, error handling and approval.
/// Validated once, when the executor is created.
/// </summary>
public sealed record AgentExecutorOptions
{
    /// <summary>Gets the system instructions sent first in every model call; <see langword="null"/> for none.</summary>
    public string? Instructions { get; init; }

    /// <summary>Gets the most model calls one run may make (default 10). A run whose model still asks for tools at the
    /// last call ends with <see cref="AgentStopReason.MaxIterations"/> without running them.</summary>
    public int MaxIterations { get; init; } = 10;

    /// <summary>Gets the token budget of one run, counted from the usage the model reports (total tokens, or input plus
    /// output); <see langword="null"/> for no budget. When the budget is reached and the model still asks for tools, the
    /// run ends with <see cref="AgentStopReason.TokenBudget"/> without running them or calling the model again.</summary>
    public long? MaxTotalTokens { get; init; }

    /// <summary>Gets the wall-time limit of one run, measured with the run's <see cref="TimeProvider"/>
    /// (<see cref="Runnables.RunOptions.TimeProvider"/>); <see langword="null"/> for none. When it passes, the model call
    /// or tools in flight are cancelled and the run ends with <see cref="AgentStopReason.WallTime"/>. Time spent waiting
    /// for an approval counts.</summary>
    public TimeSpan? MaxWallTime { get; init; }

    /// <summary>Gets how many tool calls of one model response run at once (default 4); results are always sent back in
    /// the order the model made the calls. Calls start on the caller's synchronization context (tools may need it), so
    /// asynchronous tools overlap while a tool that blocks synchronously holds the others back until it returns.</summary>
    public int MaxParallelToolCalls { get; init; } = 4;

    /// <summary>Gets how many rounds in a row may feed an error back to the model before the run ends with
    /// <see cref="AgentStopReason.TooManyErrors"/> (default 3). A round is one model response and its tool calls; it
    /// counts as an error round when any call failed or had invalid arguments, a ReAct step was malformed or a typed
    /// answer did not parse.</summary>
    public int MaxConsecutiveErrors { get; init; } = 3;

    /// <summary>Gets a value indicating whether the message of an exception thrown by a tool is sent to the model
    /// (default <see langword="true"/>, so the model can correct itself). When off, the model only learns that the tool
    /// failed and the exception's type. Argument errors and <see cref="AgentToolException"/> messages are always sent;
    /// stack traces never are.</summary>
    public bool IncludeErrorDetails { get; init; } = true;

    /// <summary>Gets the longest error text sent to the model, in characters (default 1,000); longer text is cut with a
    /// marker.</summary>
    public int MaxErrorLength { get; init; } = 1000;

    /// <summary>Gets the longest tool result sent to the model, in characters; <see langword="null"/> (the default)
    /// sends results as the tool returned them. When set, results are serialized to JSON text and cut with a marker.</summary>
    public int? MaxToolResultLength { get; init; }

    /// <summary>Gets the callback that decides about calls to tools that need approval (see
    /// <see cref="ApprovalRequiredAIFunction"/>). It is awaited before the calls of a response run, once per call, one at a
    /// time, in call order. Required when any tool needs approval. An exception it throws fails the run (use
    /// <see cref="ToolApprovalDecision.Reject"/> to refuse a call).</summary>
    public Func<ToolApprovalRequest, CancellationToken, ValueTask<ToolApprovalDecision>>? ApprovalCallback { get; init; }

    /// <summary>Gets options sent with every model call (model id, temperature...). The executor's tools are added to
    /// <see cref="ChatOptions.Tools"/>; tools already there are kept (hosted tools run on the service).</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Gets the services tools receive through <see cref="AIFunctionArguments.Services"/> (for parameters
    /// bound from dependency injection); <see langword="null"/> for none.</summary>
    public IServiceProvider? Services { get; init; }

    internal void Validate()
    {
        if (MaxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be at least 1.");
        }

        if (MaxTotalTokens is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTotalTokens), MaxTotalTokens, "MaxTotalTokens must be at least 1 (or null for no budget).");
        }

        if (MaxWallTime is { } wall && wall <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWallTime), wall, "MaxWallTime must be positive (or null for no limit).");
        }

        if (MaxParallelToolCalls < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxParallelToolCalls), MaxParallelToolCalls, "MaxParallelToolCalls must be at least 1.");
        }

        if (MaxConsecutiveErrors < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConsecutiveErrors), MaxConsecutiveErrors, "MaxConsecutiveErrors must not be negative.");
        }

        if (MaxErrorLength < 20)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxErrorLength), MaxErrorLength, "MaxErrorLength must be at least 20 characters.");
        }

        if (MaxToolResultLength is < 20)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxToolResultLength), MaxToolResultLength, "MaxToolResultLength must be at least 20 characters (or null for no limit).");
        }
    }
}
