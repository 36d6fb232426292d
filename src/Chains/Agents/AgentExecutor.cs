using System.Runtime.CompilerServices;
using System.Text.Json;
using Chains.Parsing;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Agents;

/// <summary>
/// Runs an agent: calls the model with the tools, runs the tool calls it asks for and feeds the results back until the
/// model gives a final answer or a limit is reached. Works over any <see cref="IChatClient"/> that returns
/// <see cref="FunctionCallContent"/> (for models without native tool calling, wrap the client with
/// <see cref="ReActChatClient"/>).
/// </summary>
/// <remarks>
/// <para>Limits (iterations, tokens, wall time, consecutive errors) never throw: the run ends with an
/// <see cref="AgentResult"/> whose <see cref="AgentResult.StopReason"/> names the limit. Tool exceptions, unknown tools and
/// invalid or unparseable arguments go back to the model as error results. Only cancellation through the caller's token
/// (and failures of the model client itself) end a run with an exception.</para>
/// <para>The tool calls of one model response run concurrently (at most <see cref="AgentExecutorOptions.MaxParallelToolCalls"/>);
/// calls to tools that need approval wait for <see cref="AgentExecutorOptions.ApprovalCallback"/> first.</para>
/// <para>While observed, each model call and each tool call is a child step (spans, logs, events), and the run reports
/// <see cref="AgentEvent"/>s as chunk events of its own step; streaming a run streams the model's responses.</para>
/// <para>Instances are immutable and thread-safe. Do not also wrap the client in a <c>FunctionInvokingChatClient</c>:
/// the executor invokes the tools itself.</para>
/// </remarks>
public sealed class AgentExecutor : Runnable<AgentInput, AgentResult>
{
    private readonly AgentEngine _engine;

    /// <summary>Initializes a new instance of the <see cref="AgentExecutor"/> class.</summary>
    /// <param name="client">The model.</param>
    /// <param name="tools">The tools: <see cref="AIFunction"/>s run here (from <see cref="AIFunctionFactory"/>,
    /// <see cref="AgentToolExtensions"/>, MCP servers...), other <see cref="AITool"/>s (hosted tools) are only declared to
    /// the service.</param>
    /// <param name="options">Instructions, limits and approval; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Two tools share a name, the list holds <see langword="null"/>, or a tool needs
    /// approval and no <see cref="AgentExecutorOptions.ApprovalCallback"/> is set.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public AgentExecutor(IChatClient client, IEnumerable<AITool>? tools = null, AgentExecutorOptions? options = null)
        => _engine = new AgentEngine(client, tools, options, null, null);

    /// <summary>Gets the tools, in the order given.</summary>
    public IReadOnlyList<AITool> Tools => _engine.Tools;

    /// <summary>Gets the options.</summary>
    public AgentExecutorOptions Options => _engine.Options;

    /// <inheritdoc />
    public override string Name => "AgentExecutor";

    /// <inheritdoc />
    protected internal override string StepKind => AgentEngine.StepKind;

    /// <inheritdoc />
    protected internal override async ValueTask<AgentResult> InvokeCoreAsync(AgentInput input, RunContext context, CancellationToken cancellationToken)
        => (await _engine.RunAsync(input, context, streaming: false, parse: null, cancellationToken)).Result;

    /// <inheritdoc />
    protected internal override async IAsyncEnumerable<AgentResult> StreamCoreAsync(AgentInput input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return (await _engine.RunAsync(input, context, streaming: true, parse: null, cancellationToken)).Result;
    }
}

/// <summary>
/// An <see cref="AgentExecutor"/> whose final answer is a <typeparamref name="TOutput"/>: the model is asked for JSON
/// matching its schema, and an answer that does not parse goes back to the model with the parser's error (counted like a
/// tool error) until it does or a limit is reached.
/// </summary>
/// <typeparam name="TOutput">The type of the final answer; services that enforce a schema usually need an object type.</typeparam>
/// <remarks>The schema and format instructions come from <see cref="StructuredOutputParser{T}"/>; the instructions are
/// appended to <see cref="AgentExecutorOptions.Instructions"/>, and <see cref="ChatOptions.ResponseFormat"/> is set on
/// every call unless the executor is told not to.</remarks>
public sealed class AgentExecutor<TOutput> : Runnable<AgentInput, AgentResult<TOutput>>
{
    private readonly StructuredOutputParser<TOutput> _parser;
    private readonly AgentEngine _engine;
    private readonly Func<string, object?> _parse;

    /// <summary>Initializes a new instance of the <see cref="AgentExecutor{TOutput}"/> class.</summary>
    /// <param name="client">The model.</param>
    /// <param name="tools">The tools (see <see cref="AgentExecutor(IChatClient, IEnumerable{AITool}, AgentExecutorOptions)"/>).</param>
    /// <param name="options">Instructions, limits and approval; <see langword="null"/> for the defaults.</param>
    /// <param name="serializerOptions">Options to read <typeparamref name="TOutput"/> with; <see langword="null"/> for the
    /// parser's defaults (camelCase, case-insensitive, enums as strings).</param>
    /// <param name="useResponseFormat">Whether to ask the service for structured output. Turn it off for clients that
    /// cannot combine a response format with tool calls (e.g. grammar-constrained local models); the instructions still
    /// ask for JSON.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Two tools share a name, the list holds <see langword="null"/>, or a tool needs
    /// approval and no <see cref="AgentExecutorOptions.ApprovalCallback"/> is set.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public AgentExecutor(IChatClient client, IEnumerable<AITool>? tools = null, AgentExecutorOptions? options = null, JsonSerializerOptions? serializerOptions = null, bool useResponseFormat = true)
    {
        _parser = new StructuredOutputParser<TOutput>(serializerOptions);
        _engine = new AgentEngine(client, tools, options, _parser.FormatInstructions, useResponseFormat ? _parser.ResponseFormat : null);
        _parse = text => _parser.Parse(text);
    }

    /// <summary>Gets the tools, in the order given.</summary>
    public IReadOnlyList<AITool> Tools => _engine.Tools;

    /// <summary>Gets the options.</summary>
    public AgentExecutorOptions Options => _engine.Options;

    /// <inheritdoc />
    public override string Name => "AgentExecutor";

    /// <inheritdoc />
    protected internal override string StepKind => AgentEngine.StepKind;

    /// <inheritdoc />
    protected internal override async ValueTask<AgentResult<TOutput>> InvokeCoreAsync(AgentInput input, RunContext context, CancellationToken cancellationToken)
    {
        var (result, output) = await _engine.RunAsync(input, context, streaming: false, _parse, cancellationToken);
        return new AgentResult<TOutput>(result, (TOutput?)output);
    }

    /// <inheritdoc />
    protected internal override async IAsyncEnumerable<AgentResult<TOutput>> StreamCoreAsync(AgentInput input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (result, output) = await _engine.RunAsync(input, context, streaming: true, _parse, cancellationToken);
        yield return new AgentResult<TOutput>(result, (TOutput?)output);
    }
}

/// <summary>Runs agents as a stream of typed <see cref="AgentEvent"/>s.</summary>
public static class AgentEventExtensions
{
    /// <summary>Streams the run and yields its <see cref="AgentEvent"/>s as they happen (model updates, approvals asked,
    /// tool calls started and completed), ending with an <see cref="AgentCompletedEvent"/> that holds the result.
    /// Events of agents nested inside the run (an agent used as a tool) are left out; use
    /// <see cref="Runnable{TIn,TOut}.StreamEventsAsync"/> to see everything.</summary>
    /// <typeparam name="TResult">The executor's result type.</typeparam>
    /// <param name="agent">The executor (or a step wrapping it).</param>
    /// <param name="input">The input.</param>
    /// <param name="options">Options for the run.</param>
    /// <param name="cancellationToken">A token that cancels the run.</param>
    /// <returns>The events.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="agent"/> is <see langword="null"/>.</exception>
    public static IAsyncEnumerable<AgentEvent> StreamAgentEventsAsync<TResult>(this Runnable<AgentInput, TResult> agent, AgentInput input, RunOptions? options = null, CancellationToken cancellationToken = default)
        where TResult : AgentResult
    {
        ArgumentNullException.ThrowIfNull(agent);
        return Iterate(agent, input, options, cancellationToken);

        static async IAsyncEnumerable<AgentEvent> Iterate(Runnable<AgentInput, TResult> agent, AgentInput input, RunOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Guid? agentRun = null;
            await foreach (var runEvent in agent.StreamEventsAsync(input, options, cancellationToken))
            {
                if (agentRun is null)
                {
                    if (runEvent is RunStartedEvent { Info.StepKind: AgentEngine.StepKind })
                    {
                        agentRun = runEvent.RunId;
                    }

                    continue;
                }

                if (runEvent is RunChunkEvent chunk && chunk.RunId == agentRun)
                {
                    switch (chunk.Chunk)
                    {
                        case AgentEvent agentEvent:
                            yield return agentEvent;
                            break;
                        case AgentResult result:
                            yield return new AgentCompletedEvent(result);
                            break;
                    }
                }
            }
        }
    }
}
