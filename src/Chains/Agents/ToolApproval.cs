using Microsoft.Extensions.AI;

namespace Chains.Agents;

/// <summary>A tool call waiting for approval, passed to <see cref="AgentExecutorOptions.ApprovalCallback"/>.</summary>
/// <remarks>Tools need approval when they are (or wrap) an <see cref="ApprovalRequiredAIFunction"/>.</remarks>
public readonly struct ToolApprovalRequest
{
    internal ToolApprovalRequest(FunctionCallContent call, AIFunction tool, int iteration, Guid? runId)
    {
        Call = call;
        Tool = tool;
        Iteration = iteration;
        RunId = runId;
    }

    /// <summary>Gets the call as the model made it.</summary>
    public FunctionCallContent Call { get; }

    /// <summary>Gets the tool that would run.</summary>
    public AIFunction Tool { get; }

    /// <summary>Gets the name of the tool.</summary>
    public string ToolName => Call.Name;

    /// <summary>Gets the arguments the model chose, or <see langword="null"/> when it gave none.</summary>
    public IDictionary<string, object?>? Arguments => Call.Arguments;

    /// <summary>Gets the 1-based number of the model call that asked for the tool.</summary>
    public int Iteration { get; }

    /// <summary>Gets the id of the agent run in events, or <see langword="null"/> when nobody observes the run.</summary>
    public Guid? RunId { get; }
}

/// <summary>What an approver decided about a tool call.</summary>
public enum ToolApprovalKind
{
    /// <summary>The call runs with the model's arguments.</summary>
    Approved,

    /// <summary>The call does not run; the model is told it was rejected, with the reason.</summary>
    Rejected,

    /// <summary>The call runs with arguments the approver changed.</summary>
    Edited,
}

/// <summary>An approver's answer to a <see cref="ToolApprovalRequest"/>: approve, reject with a reason, or run with
/// edited arguments.</summary>
public sealed class ToolApprovalDecision
{
    private static readonly ToolApprovalDecision ApprovedInstance = new(ToolApprovalKind.Approved, null, null);

    private ToolApprovalDecision(ToolApprovalKind kind, string? reason, IReadOnlyDictionary<string, object?>? arguments)
    {
        Kind = kind;
        Reason = reason;
        Arguments = arguments;
    }

    /// <summary>Gets the decision.</summary>
    public ToolApprovalKind Kind { get; }

    /// <summary>Gets the reason given for a rejection (sent to the model), or <see langword="null"/>.</summary>
    public string? Reason { get; }

    /// <summary>Gets the replacement arguments of an <see cref="ToolApprovalKind.Edited"/> decision, or <see langword="null"/>.</summary>
    public IReadOnlyDictionary<string, object?>? Arguments { get; }

    /// <summary>Approves the call as the model made it.</summary>
    /// <returns>The decision (a shared instance).</returns>
    public static ToolApprovalDecision Approve() => ApprovedInstance;

    /// <summary>Rejects the call; the tool does not run and the model gets an error result with the reason, so it can
    /// try something else.</summary>
    /// <param name="reason">Why, in words for the model; <see langword="null"/> for a generic message.</param>
    /// <returns>The decision.</returns>
    public static ToolApprovalDecision Reject(string? reason = null) => new(ToolApprovalKind.Rejected, reason, null);

    /// <summary>Approves the call with other arguments. They are checked against the tool's schema like the model's, and
    /// the conversation shows the call with these arguments.</summary>
    /// <param name="arguments">The arguments the tool runs with.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="arguments"/> is <see langword="null"/>.</exception>
    public static ToolApprovalDecision Edit(IReadOnlyDictionary<string, object?> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return new(ToolApprovalKind.Edited, null, new Dictionary<string, object?>(arguments, StringComparer.Ordinal));
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ToolApprovalKind.Rejected => Reason is null ? "Rejected" : $"Rejected: {Reason}",
        _ => Kind.ToString(),
    };
}
