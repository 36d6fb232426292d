using Microsoft.Extensions.AI;

namespace Chains.Agents;

/// <summary>Why an agent run ended.</summary>
public enum AgentStopReason
{
    /// <summary>The model gave a final answer (and, for a typed executor, it parsed).</summary>
    Completed,

    /// <summary>The model still wanted tools when <see cref="AgentExecutorOptions.MaxIterations"/> model calls had been made.</summary>
    MaxIterations,

    /// <summary>The tokens reported by the model reached <see cref="AgentExecutorOptions.MaxTotalTokens"/> before the run finished.</summary>
    TokenBudget,

    /// <summary>The run took longer than <see cref="AgentExecutorOptions.MaxWallTime"/>.</summary>
    WallTime,

    /// <summary>More than <see cref="AgentExecutorOptions.MaxConsecutiveErrors"/> rounds in a row fed an error back to
    /// the model (failed or invalid tool calls, malformed ReAct steps, final answers that did not parse).</summary>
    TooManyErrors,

    /// <summary>The model's answer was withheld by a content filter.</summary>
    ContentFiltered,
}

/// <summary>What happened to one tool call.</summary>
public enum AgentToolCallStatus
{
    /// <summary>The tool ran and returned a result.</summary>
    Succeeded,

    /// <summary>The tool threw; the model got an error result.</summary>
    Failed,

    /// <summary>The arguments could not be parsed or did not match the tool's schema; the tool did not run and the model
    /// got an error result.</summary>
    InvalidArguments,

    /// <summary>The model named a tool the executor does not have; the model got an error result.</summary>
    UnknownTool,

    /// <summary>The approval callback rejected the call; the tool did not run and the model got the reason.</summary>
    Rejected,

    /// <summary>The call was not run because the run stopped first (a limit was reached).</summary>
    NotRun,
}

/// <summary>One tool call of a run: the model's call, what was done with it and the result sent back.</summary>
public sealed class AgentToolCall
{
    internal AgentToolCall(FunctionCallContent call, AgentToolCallStatus status)
    {
        Call = call;
        Status = status;
    }

    /// <summary>Gets the call as the model made it (for an edited approval, with the original arguments).</summary>
    public FunctionCallContent Call { get; }

    /// <summary>Gets what happened to the call.</summary>
    public AgentToolCallStatus Status { get; internal set; }

    /// <summary>Gets the arguments the tool ran with: the approver's edit, or the model's arguments.</summary>
    public IDictionary<string, object?>? Arguments { get; internal set; }

    /// <summary>Gets the result sent back to the model, or <see langword="null"/> when the call was not run.</summary>
    public FunctionResultContent? Result { get; internal set; }

    /// <summary>Gets the exception the tool threw or the argument error, or <see langword="null"/>.</summary>
    public Exception? Error { get; internal set; }

    /// <summary>Gets the approver's decision, or <see langword="null"/> when the tool needs no approval.</summary>
    public ToolApprovalDecision? Approval { get; internal set; }

    /// <summary>Gets how long the tool ran (zero when it did not run).</summary>
    public TimeSpan Duration { get; internal set; }
}

/// <summary>One model call of a run and the tool calls it asked for.</summary>
/// <param name="Iteration">The 1-based number of the model call in the run.</param>
/// <param name="Response">The model's response.</param>
/// <param name="ToolCalls">The tool calls of the response, in the order the model made them.</param>
public sealed record AgentStep(int Iteration, ChatResponse Response, IReadOnlyList<AgentToolCall> ToolCalls);

/// <summary>The outcome of an agent run: why it stopped, the final answer, every step and the token usage.</summary>
public record AgentResult
{
    internal AgentResult(AgentStopReason stopReason, string text, IReadOnlyList<AgentStep> steps, IReadOnlyList<ChatMessage> messages, UsageDetails usage, TimeSpan elapsed)
    {
        StopReason = stopReason;
        Text = text;
        Steps = steps;
        Messages = messages;
        Usage = usage;
        Elapsed = elapsed;
    }

    /// <summary>Gets why the run ended.</summary>
    public AgentStopReason StopReason { get; }

    /// <summary>Gets a value indicating whether the model gave a final answer (<see cref="StopReason"/> is
    /// <see cref="AgentStopReason.Completed"/>).</summary>
    public bool IsCompleted => StopReason == AgentStopReason.Completed;

    /// <summary>Gets the final answer; when the run stopped early, the text of the last model response (possibly empty).</summary>
    public string Text { get; }

    /// <summary>Gets every model call of the run with its tool calls.</summary>
    public IReadOnlyList<AgentStep> Steps { get; }

    /// <summary>Gets the messages the run added to the conversation (assistant and tool messages, ending with the
    /// answer), ready to append to a chat history: a tool call that was never answered is left out, so the history stays
    /// valid for the next request.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets the tokens reported by the model over the whole run.</summary>
    public UsageDetails Usage { get; }

    /// <summary>Gets how long the run took, measured with the run's <see cref="TimeProvider"/>.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets the number of model calls made.</summary>
    public int Iterations => Steps.Count;
}

/// <summary>The outcome of a run of <see cref="AgentExecutor{TOutput}"/>: an <see cref="AgentResult"/> with the final
/// answer parsed into <typeparamref name="TOutput"/>.</summary>
/// <typeparam name="TOutput">The type of the final answer.</typeparam>
public sealed record AgentResult<TOutput> : AgentResult
{
    internal AgentResult(AgentResult result, TOutput? output)
        : base(result) => Output = output;

    /// <summary>Gets the parsed final answer, or <see langword="default"/> when the run did not complete.</summary>
    public TOutput? Output { get; }
}
