using System.Runtime.CompilerServices;
using Chains.Memory;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Agents;

/// <summary>Gives agents a memory: <c>agent.WithHistory(store, sessionId, reducer)</c>.</summary>
public static class AgentHistoryExtensions
{
    /// <summary>
    /// Makes an agent remember one session, with the semantics of
    /// <see cref="ChatHistoryRunnableExtensions.WithHistory(Runnable{PromptValue, ChatResponse}, IChatHistoryStore, string, IChatReducer?)"/>:
    /// each run loads the session's history, reduces it with the new messages, runs the agent, and then stores the new
    /// messages with everything the run added (tool calls and results included, unanswered calls left out) — only when
    /// the run returns a result, never after a failure or a cancellation. A run stopped by a limit still stores its turn.
    /// </summary>
    /// <typeparam name="TResult">The agent's result type.</typeparam>
    /// <param name="agent">The agent.</param>
    /// <param name="store">Where the session's messages are kept.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="reducer">Fits the history to the model; <see langword="null"/> sends it whole.</param>
    /// <returns>The agent with memory. Its inputs must not carry <see cref="AgentInput.History"/>: the store supplies it.</returns>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="reducer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is empty or whitespace.</exception>
    public static Runnable<AgentInput, TResult> WithHistory<TResult>(this Runnable<AgentInput, TResult> agent, IChatHistoryStore store, string sessionId, IChatReducer? reducer = null)
        where TResult : AgentResult
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return agent.WithHistory<AgentInput, TResult>(store, _ => sessionId, static input => input, reducer);
    }

    /// <summary>Makes an agent remember many sessions: each input names its session and carries the new messages.
    /// Otherwise the same as <see cref="WithHistory{TResult}(Runnable{AgentInput, TResult}, IChatHistoryStore, string, IChatReducer?)"/>.</summary>
    /// <typeparam name="TIn">The input type, e.g. <c>record AgentRequest(string SessionId, string Text)</c>.</typeparam>
    /// <typeparam name="TResult">The agent's result type.</typeparam>
    /// <param name="agent">The agent.</param>
    /// <param name="store">Where the sessions' messages are kept.</param>
    /// <param name="sessionSelector">Gets the session of an input.</param>
    /// <param name="inputSelector">Gets the agent input (the new messages) of an input.</param>
    /// <param name="reducer">Fits each history to the model; <see langword="null"/> sends it whole.</param>
    /// <returns>The agent with memory.</returns>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="reducer"/> is <see langword="null"/>.</exception>
    public static Runnable<TIn, TResult> WithHistory<TIn, TResult>(this Runnable<AgentInput, TResult> agent, IChatHistoryStore store, Func<TIn, string> sessionSelector, Func<TIn, AgentInput> inputSelector, IChatReducer? reducer = null)
        where TResult : AgentResult
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sessionSelector);
        ArgumentNullException.ThrowIfNull(inputSelector);
        var turn = new AgentTurn<TResult>(agent);
        var remembered = turn.WithHistory(store, sessionSelector, input => Prompt(inputSelector(input)), reducer);
        return new AgentWithHistory<TIn, TResult>(remembered, agent.Name);
    }

    private static PromptValue Prompt(AgentInput input)
    {
        if (input is null)
        {
            throw new ArgumentException("The input selector returned null.", nameof(input));
        }

        if (input.History is not null)
        {
            throw new ArgumentException("An agent with a history store takes its history from the store; do not set AgentInput.History.", nameof(input));
        }

        return PromptValue.FromMessages(input.Messages);
    }

    /// <summary>The agent as a chat step for the memory machinery: the reduced prompt in, the run's messages out (as one
    /// response carrying the <see cref="AgentResult"/>).</summary>
    private sealed class AgentTurn<TResult>(Runnable<AgentInput, TResult> agent) : Runnable<PromptValue, ChatResponse>
        where TResult : AgentResult
    {
        public override string Name => "AgentTurn";

        protected internal override async ValueTask<ChatResponse> InvokeCoreAsync(PromptValue input, RunContext context, CancellationToken cancellationToken)
            => ToResponse(await context.InvokeAsync(agent, new AgentInput(input.Messages), cancellationToken));

        protected internal override async IAsyncEnumerable<ChatResponse> StreamCoreAsync(PromptValue input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            TResult? last = null;
            await foreach (var chunk in context.StreamAsync(agent, new AgentInput(input.Messages), cancellationToken).WithCancellation(cancellationToken))
            {
                last = chunk;
            }

            yield return ToResponse(last ?? throw new InvalidOperationException("The agent produced no result."));
        }

        private static ChatResponse ToResponse(TResult result)
        {
            // Message ids keep the messages apart when a stream's chunks are merged before they are stored.
            var messages = new List<ChatMessage>(result.Messages.Count);
            var prefix = Guid.CreateVersion7().ToString("N");
            for (var i = 0; i < result.Messages.Count; i++)
            {
                var message = result.Messages[i];
                messages.Add(message.MessageId is null ? new ChatMessage(message.Role, message.Contents)
                {
                    AuthorName = message.AuthorName,
                    CreatedAt = message.CreatedAt,
                    MessageId = $"{prefix}-{i}",
                    AdditionalProperties = message.AdditionalProperties,
                    RawRepresentation = message.RawRepresentation,
                } : message);
            }

            return new ChatResponse(messages) { Usage = result.Usage, RawRepresentation = result };
        }
    }

    /// <summary>Runs the remembered turn and returns the agent's own result.</summary>
    private sealed class AgentWithHistory<TIn, TResult>(Runnable<TIn, ChatResponse> remembered, string name) : Runnable<TIn, TResult>
        where TResult : AgentResult
    {
        public override string Name => name;

        protected internal override async ValueTask<TResult> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
            => Result(await context.InvokeAsync(remembered, input, cancellationToken));

        protected internal override async IAsyncEnumerable<TResult> StreamCoreAsync(TIn input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            // The turn is stored when the inner stream completes, so the result is yielded only after that.
            ChatResponse? last = null;
            await foreach (var chunk in context.StreamAsync(remembered, input, cancellationToken).WithCancellation(cancellationToken))
            {
                last = chunk;
            }

            yield return Result(last ?? throw new InvalidOperationException("The agent produced no result."));
        }

        private static TResult Result(ChatResponse response)
            => response.RawRepresentation as TResult ?? throw new InvalidOperationException("The remembered turn lost the agent's result.");
    }
}
