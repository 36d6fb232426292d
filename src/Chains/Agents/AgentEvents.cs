using Microsoft.Extensions.AI;

namespace Chains.Agents;

/// <summary>
/// Something that happened inside an agent run. Agent events travel as the <see cref="Runnables.RunChunkEvent.Chunk"/> of
/// the executor's own run, so any <see cref="Runnables.IRunEventSink"/> and
/// <see cref="Runnables.Runnable{TIn,TOut}.StreamEventsAsync"/> see them nested where the agent runs;
/// <see cref="AgentEventExtensions.StreamAgentEventsAsync{TResult}"/> yields only them, typed.
/// </summary>
/// <remarks>Events are made only while someone observes the run; an unobserved run allocates none.</remarks>
public abstract class AgentEvent
{
    private protected AgentEvent(int iteration) => Iteration = iteration;

    /// <summary>Gets the 1-based number of the model call the event belongs to.</summary>
    public int Iteration { get; }
}

/// <summary>The model streamed a piece of its response (text, reasoning or a tool call being formed). Only streamed runs
/// (<c>StreamAsync</c>, <c>StreamEventsAsync</c>) call the model in streaming mode.</summary>
public sealed class AgentModelUpdateEvent : AgentEvent
{
    internal AgentModelUpdateEvent(int iteration, ChatResponseUpdate update)
        : base(iteration) => Update = update;

    /// <summary>Gets the update as the model client produced it.</summary>
    public ChatResponseUpdate Update { get; }
}

/// <summary>The model answered one call; the tool calls it asked for follow.</summary>
public sealed class AgentModelResponseEvent : AgentEvent
{
    internal AgentModelResponseEvent(int iteration, ChatResponse response)
        : base(iteration) => Response = response;

    /// <summary>Gets the complete response.</summary>
    public ChatResponse Response { get; }
}

/// <summary>A tool that needs approval is waiting for the approval callback.</summary>
public sealed class AgentApprovalRequestedEvent : AgentEvent
{
    internal AgentApprovalRequestedEvent(ToolApprovalRequest request)
        : base(request.Iteration) => Request = request;

    /// <summary>Gets the request passed to the callback.</summary>
    public ToolApprovalRequest Request { get; }
}

/// <summary>A tool call is about to run.</summary>
public sealed class AgentToolStartedEvent : AgentEvent
{
    internal AgentToolStartedEvent(int iteration, FunctionCallContent call, IDictionary<string, object?>? arguments)
        : base(iteration)
    {
        Call = call;
        Arguments = arguments;
    }

    /// <summary>Gets the model's call.</summary>
    public FunctionCallContent Call { get; }

    /// <summary>Gets the arguments the tool runs with (an approver may have edited them).</summary>
    public IDictionary<string, object?>? Arguments { get; }
}

/// <summary>A tool call ended: it succeeded, failed, was rejected or had invalid arguments.</summary>
public sealed class AgentToolCompletedEvent : AgentEvent
{
    internal AgentToolCompletedEvent(int iteration, AgentToolCall toolCall)
        : base(iteration) => ToolCall = toolCall;

    /// <summary>Gets the call with its status, result and duration.</summary>
    public AgentToolCall ToolCall { get; }
}

/// <summary>The run ended; the last event of <see cref="AgentEventExtensions.StreamAgentEventsAsync{TResult}"/>.</summary>
public sealed class AgentCompletedEvent : AgentEvent
{
    internal AgentCompletedEvent(AgentResult result)
        : base(result.Iterations) => Result = result;

    /// <summary>Gets the run's result (an <see cref="AgentResult{TOutput}"/> for a typed executor).</summary>
    public AgentResult Result { get; }
}
