using System.Runtime.CompilerServices;
using System.Text.Json;
using Chains.Models;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Chains.Agents;

/// <summary>
/// The tool-calling loop shared by <see cref="AgentExecutor"/> and <see cref="AgentExecutor{TOutput}"/>: call the model,
/// run the tool calls it asks for (approval first, then concurrently, results in call order), feed results and errors
/// back, and stop on a final answer or a limit.
/// </summary>
/// <remarks>Immutable after construction; one engine serves any number of concurrent runs.</remarks>
internal sealed class AgentEngine
{
    internal const string StepKind = "agent";

    /// <summary>The key under which tools find the <see cref="RunContext"/> of their call in
    /// <see cref="AIFunctionArguments.Context"/>, so steps run as tools nest under the tool call.</summary>
    internal static readonly object RunContextKey = new();

    /// <summary>M.E.AI's serializer options without indentation, for text sent to models.</summary>
    internal static readonly JsonSerializerOptions CompactJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    private readonly IChatClient _client;
    private readonly Dictionary<string, ToolEntry> _tools;
    private readonly ChatOptions _chatOptions;
    private readonly ChatMessage? _instructions;
    private readonly string _toolNames;

    public AgentEngine(IChatClient client, IEnumerable<AITool>? tools, AgentExecutorOptions? options, string? extraInstructions, ChatResponseFormat? responseFormat)
    {
        ArgumentNullException.ThrowIfNull(client);
        Options = options ?? new AgentExecutorOptions();
        Options.Validate();
        _client = client;

        var toolList = new List<AITool>();
        _tools = new Dictionary<string, ToolEntry>(StringComparer.Ordinal);
        var needsApproval = new List<string>();
        foreach (var tool in tools ?? [])
        {
            if (tool is null)
            {
                throw new ArgumentException("The tool list holds null.", nameof(tools));
            }

            toolList.Add(tool);
            if (tool is not AIFunction function)
            {
                // Hosted tools (web search, code interpreter...) run on the service; they are only declared.
                continue;
            }

            var requiresApproval = function.GetService<ApprovalRequiredAIFunction>() is not null;
            if (!_tools.TryAdd(function.Name, new ToolEntry(function, ToolArgumentValidator.Create(function.JsonSchema), requiresApproval)))
            {
                throw new ArgumentException($"Two tools are named '{function.Name}'; tool names must be unique.", nameof(tools));
            }

            if (requiresApproval)
            {
                needsApproval.Add(function.Name);
            }
        }

        if (needsApproval.Count > 0 && Options.ApprovalCallback is null)
        {
            throw new ArgumentException(
                $"The tool(s) {string.Join(", ", needsApproval.Select(n => $"'{n}'"))} need approval, but AgentExecutorOptions.ApprovalCallback is not set.",
                nameof(options));
        }

        Tools = toolList;
        _toolNames = _tools.Count == 0 ? "none" : string.Join(", ", _tools.Keys);

        var chatOptions = Options.ChatOptions?.Clone() ?? new ChatOptions();
        if (toolList.Count > 0)
        {
            var merged = new List<AITool>(chatOptions.Tools ?? []);
            merged.AddRange(toolList);
            chatOptions.Tools = merged;
        }

        if (responseFormat is not null)
        {
            chatOptions.ResponseFormat = responseFormat;
        }

        _chatOptions = chatOptions;

        var instructions = (Options.Instructions, extraInstructions) switch
        {
            (null, null) => null,
            (var a, null) => a,
            (null, var b) => b,
            var (a, b) => a + "\n\n" + b,
        };
        _instructions = instructions is null ? null : new ChatMessage(ChatRole.System, instructions);
    }

    public AgentExecutorOptions Options { get; }

    public IReadOnlyList<AITool> Tools { get; }

    /// <summary>Runs the loop. <paramref name="parse"/> turns a final answer into the typed output, throwing on text that
    /// does not parse; <see langword="null"/> for text answers.</summary>
    public async ValueTask<(AgentResult Result, object? Output)> RunAsync(AgentInput input, RunContext context, bool streaming, Func<string, object?>? parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var run = new RunState(this, input, context, streaming && context.Scope is { HasSink: true });
        var time = context.TimeProvider;
        var wallTime = Options.MaxWallTime;
        using var wallCts = wallTime is { } limit ? new CancellationTokenSource(limit, time) : null;
        using var linkedCts = wallCts is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wallCts.Token);
        var token = linkedCts?.Token ?? cancellationToken;

        AgentStopReason stopReason;
        object? output = null;
        try
        {
            (stopReason, output) = await LoopAsync(run, parse, token);
        }
        catch (OperationCanceledException) when (wallCts is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            stopReason = AgentStopReason.WallTime;
            run.DropPendingRound();
        }

        var result = run.ToResult(stopReason);
        if (run.Logger is { } logger)
        {
            AgentLog.RunStopped(logger, stopReason, result.Iterations, TotalTokens(result.Usage));
        }

        return (result, output);
    }

    private static long TotalTokens(UsageDetails usage)
        => usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0));

    private async ValueTask<(AgentStopReason, object?)> LoopAsync(RunState run, Func<string, object?>? parse, CancellationToken cancellationToken)
    {
        var consecutiveErrors = 0;
        while (true)
        {
            if (run.WallTimeExceeded())
            {
                return (AgentStopReason.WallTime, null);
            }

            var iteration = run.Steps.Count + 1;
            var response = await CallModelAsync(run, iteration, cancellationToken);
            run.AddResponse(response);

            var calls = CollectCalls(response);
            if (calls is null)
            {
                run.AddStep(iteration, response, []);
                if (response.FinishReason == ChatFinishReason.ContentFilter)
                {
                    return (AgentStopReason.ContentFiltered, null);
                }

                if (parse is null)
                {
                    return (AgentStopReason.Completed, null);
                }

                string? parseError;
                try
                {
                    return (AgentStopReason.Completed, parse(response.Text));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    parseError = Truncate(ex.Message, Options.MaxErrorLength);
                }

                if (++consecutiveErrors > Options.MaxConsecutiveErrors)
                {
                    return (AgentStopReason.TooManyErrors, null);
                }

                if (Stopped(run, iteration) is { } limit)
                {
                    return (limit, null);
                }

                run.AddMessage(new ChatMessage(
                    ChatRole.User,
                    "Your final answer could not be read: " + parseError + "\nAnswer again in the required format, with nothing before or after it."));
                continue;
            }

            var toolCalls = new AgentToolCall[calls.Count];
            for (var i = 0; i < calls.Count; i++)
            {
                toolCalls[i] = new AgentToolCall(calls[i], AgentToolCallStatus.NotRun) { Arguments = calls[i].Arguments };
            }

            run.AddStep(iteration, response, toolCalls);

            // A call whose result no model call could read is not run: no side effects the model never learns about.
            if (Stopped(run, iteration) is { } stop)
            {
                run.DropPendingRound();
                return (stop, null);
            }

            var hadError = await RunToolCallsAsync(run, iteration, toolCalls, cancellationToken);
            run.AddToolResults(toolCalls);
            consecutiveErrors = hadError ? consecutiveErrors + 1 : 0;
            if (consecutiveErrors > Options.MaxConsecutiveErrors)
            {
                return (AgentStopReason.TooManyErrors, null);
            }
        }
    }

    /// <summary>The limit that forbids another model call after <paramref name="iteration"/>, if any.</summary>
    private AgentStopReason? Stopped(RunState run, int iteration)
    {
        if (iteration >= Options.MaxIterations)
        {
            return AgentStopReason.MaxIterations;
        }

        if (Options.MaxTotalTokens is { } budget && TotalTokens(run.Usage) >= budget)
        {
            return AgentStopReason.TokenBudget;
        }

        return run.WallTimeExceeded() ? AgentStopReason.WallTime : null;
    }

    private async ValueTask<ChatResponse> CallModelAsync(RunState run, int iteration, CancellationToken cancellationToken)
    {
        var messages = run.MessagesToSend();
        var options = run.ChatOptions;
        if (!run.Context.IsObserved)
        {
            return await _client.GetResponseAsync(messages, options, cancellationToken);
        }

        // Observed: the model call is a child step, with its own events and a span carrying the GenAI attributes.
        var step = new ChatModelRunnable(_client, options);
        var prompt = PromptValue.FromOwnedMessages([.. messages]);
        ChatResponse response;
        if (!run.Streaming)
        {
            response = await run.Context.InvokeAsync(step, prompt, cancellationToken);
        }
        else
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var chunk in run.Context.StreamAsync(step, prompt, cancellationToken).WithCancellation(cancellationToken))
            {
                var update = chunk.RawRepresentation as ChatResponseUpdate ?? chunk.ToChatResponseUpdates().First();
                updates.Add(update);
                if (run.EventsOn)
                {
                    run.Emit(new AgentModelUpdateEvent(iteration, update));
                }
            }

            response = updates.ToChatResponse();
        }

        if (run.EventsOn)
        {
            run.Emit(new AgentModelResponseEvent(iteration, response));
        }

        return response;
    }

    private static List<FunctionCallContent>? CollectCalls(ChatResponse response)
    {
        List<FunctionCallContent>? calls = null;
        foreach (var message in response.Messages)
        {
            foreach (var content in message.Contents)
            {
                // Informational calls were already handled by the service (hosted tools).
                if (content is FunctionCallContent { InformationalOnly: false } call)
                {
                    (calls ??= []).Add(call);
                }
            }
        }

        return calls;
    }

    /// <summary>Asks for approvals (one at a time, in call order), then runs the approved calls concurrently.
    /// Returns whether any call fed an error back to the model.</summary>
    private async ValueTask<bool> RunToolCallsAsync(RunState run, int iteration, AgentToolCall[] toolCalls, CancellationToken cancellationToken)
    {
        var runnable = new ToolEntry?[toolCalls.Length];
        var runnableCount = 0;
        for (var i = 0; i < toolCalls.Length; i++)
        {
            var toolCall = toolCalls[i];
            var call = toolCall.Call;
            if (call.Exception is ReActFormatException format)
            {
                Fail(run, iteration, toolCall, AgentToolCallStatus.InvalidArguments, "Error: " + format.Message, format);
                continue;
            }

            if (!_tools.TryGetValue(call.Name, out var entry))
            {
                Fail(run, iteration, toolCall, AgentToolCallStatus.UnknownTool, $"Error: there is no tool named '{call.Name}'. Available tools: {_toolNames}.", null);
                continue;
            }

            if (call.Exception is { } parseError)
            {
                Fail(run, iteration, toolCall, AgentToolCallStatus.InvalidArguments, $"Error: the arguments for '{call.Name}' could not be read: {parseError.Message}", parseError);
                continue;
            }

            if (entry.RequiresApproval)
            {
                var request = new ToolApprovalRequest(call, entry.Function, iteration, run.Context.RunId);
                if (run.EventsOn)
                {
                    run.Emit(new AgentApprovalRequestedEvent(request));
                }
                var decision = await Options.ApprovalCallback!(request, cancellationToken)
                    ?? throw new InvalidOperationException("The approval callback returned null; return ToolApprovalDecision.Approve(), Reject(...) or Edit(...).");
                toolCall.Approval = decision;
                if (run.Logger is { } logger)
                {
                    AgentLog.ApprovalDecided(logger, call.Name, call.CallId, decision.Kind);
                }

                if (decision.Kind == ToolApprovalKind.Rejected)
                {
                    var text = decision.Reason is { Length: > 0 } reason
                        ? $"The user rejected this call to '{call.Name}': {reason}"
                        : $"The user rejected this call to '{call.Name}'.";
                    Fail(run, iteration, toolCall, AgentToolCallStatus.Rejected, text, null);
                    continue;
                }

                if (decision.Kind == ToolApprovalKind.Edited)
                {
                    var edited = new Dictionary<string, object?>(decision.Arguments!, StringComparer.Ordinal);
                    toolCall.Arguments = edited;
                    run.ReplaceCall(call, new FunctionCallContent(call.CallId, call.Name, edited));
                }
            }

            if (entry.Validator.Validate(toolCall.Arguments) is { } problem)
            {
                Fail(run, iteration, toolCall, AgentToolCallStatus.InvalidArguments, $"Error: invalid arguments for '{call.Name}': {problem}", new ArgumentException(problem));
                continue;
            }

            runnable[i] = entry;
            runnableCount++;
        }

        if (runnableCount == 1 || Options.MaxParallelToolCalls == 1)
        {
            for (var i = 0; i < toolCalls.Length; i++)
            {
                if (runnable[i] is { } entry)
                {
                    await InvokeToolAsync(run, iteration, entry, toolCalls[i], cancellationToken);
                }
            }
        }
        else if (runnableCount > 1)
        {
            // Workers start on the caller's context (tools may need it, e.g. in UI apps); asynchronous tools overlap.
            var next = new StrongBox<int>(-1);
            var workers = new Task[Math.Min(Options.MaxParallelToolCalls, runnableCount)];
            for (var w = 0; w < workers.Length; w++)
            {
                workers[w] = RunWorkerAsync(run, iteration, runnable, toolCalls, next, cancellationToken);
            }

            await Task.WhenAll(workers);
        }

        foreach (var toolCall in toolCalls)
        {
            if (toolCall.Status is AgentToolCallStatus.Failed or AgentToolCallStatus.InvalidArguments or AgentToolCallStatus.UnknownTool)
            {
                return true;
            }
        }

        return false;
    }

    private async Task RunWorkerAsync(RunState run, int iteration, ToolEntry?[] runnable, AgentToolCall[] toolCalls, StrongBox<int> next, CancellationToken cancellationToken)
    {
        int i;
        while ((i = Interlocked.Increment(ref next.Value)) < toolCalls.Length)
        {
            if (runnable[i] is { } entry)
            {
                await InvokeToolAsync(run, iteration, entry, toolCalls[i], cancellationToken);
            }
        }
    }

    private async Task InvokeToolAsync(RunState run, int iteration, ToolEntry entry, AgentToolCall toolCall, CancellationToken cancellationToken)
    {
        var call = toolCall.Call;
        var parent = run.Context;
        var scope = parent.IsObserved ? RunScope.Start(call.Name, StepKinds.Tool, parent, call, restoreCurrentActivity: false) : null;
        var context = scope is null ? parent : new RunContext(parent.Options, scope);
        if (run.EventsOn)
        {
            run.Emit(new AgentToolStartedEvent(iteration, call, toolCall.Arguments));
        }
        if (run.Logger is { } logger && logger.IsEnabled(LogLevel.Trace))
        {
            AgentLog.ToolArguments(logger, call.Name, call.CallId, toolCall.Arguments is null ? "{}" : JsonSerializer.Serialize(toolCall.Arguments, CompactJson.GetTypeInfo(typeof(IDictionary<string, object?>))));
        }

        var arguments = new AIFunctionArguments(toolCall.Arguments) { Services = Options.Services };
        if (scope is not null)
        {
            arguments.Context = new Dictionary<object, object?> { [RunContextKey] = context };
        }

        var time = parent.TimeProvider;
        var started = time.GetTimestamp();
        try
        {
            var invocation = entry.Function.InvokeAsync(arguments, cancellationToken);

            // A tool that ignores cancellation is abandoned when the run is cancelled or out of time.
            var result = invocation.IsCompleted ? invocation.Result : await invocation.AsTask().WaitAsync(cancellationToken);
            toolCall.Duration = time.GetElapsedTime(started);
            if (McpError(result) is { } mcpError)
            {
                throw new AgentToolException(mcpError);
            }

            toolCall.Result = new FunctionResultContent(call.CallId, LimitResult(result));
            toolCall.Status = AgentToolCallStatus.Succeeded;
            scope?.Complete(toolCall.Result);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            toolCall.Duration = time.GetElapsedTime(started);
            scope?.Fail(ex);
            throw;
        }
        catch (Exception ex)
        {
            toolCall.Duration = time.GetElapsedTime(started);
            scope?.Fail(ex);
            var text = ex switch
            {
                AgentToolException => "Error: " + ex.Message,
                _ when Options.IncludeErrorDetails => $"Error: '{call.Name}' failed: {ex.GetType().Name}: {ex.Message}",
                _ => $"Error: '{call.Name}' failed ({ex.GetType().Name}).",
            };
            toolCall.Status = AgentToolCallStatus.Failed;
            toolCall.Error = ex;
            toolCall.Result = new FunctionResultContent(call.CallId, Truncate(text, Options.MaxErrorLength)) { Exception = ex };
            if (run.Logger is { } log)
            {
                AgentLog.ToolFailed(log, ex, call.Name, call.CallId);
            }
        }

        if (run.EventsOn)
        {
            run.Emit(new AgentToolCompletedEvent(iteration, toolCall));
        }
    }

    /// <summary>The error text of an MCP <c>CallToolResult</c> with <c>isError</c> set (what MCP client tools return for
    /// a failed call instead of throwing), or <see langword="null"/>.</summary>
    internal static string? McpError(object? result)
    {
        if (result is not JsonElement { ValueKind: JsonValueKind.Object } element
            || !element.TryGetProperty("isError", out var isError) || isError.ValueKind != JsonValueKind.True
            || !element.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var texts = new List<string>();
        foreach (var block in content.EnumerateArray())
        {
            if (block.ValueKind == JsonValueKind.Object && block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                texts.Add(text.GetString()!);
            }
        }

        return texts.Count == 0 ? "The tool reported an error." : string.Join("\n", texts);
    }

    private void Fail(RunState run, int iteration, AgentToolCall toolCall, AgentToolCallStatus status, string text, Exception? error)
    {
        toolCall.Status = status;
        toolCall.Error = error;
        toolCall.Result = new FunctionResultContent(toolCall.Call.CallId, Truncate(text, Options.MaxErrorLength)) { Exception = error };
        if (run.Logger is { } logger)
        {
            AgentLog.ToolCallRejected(logger, toolCall.Call.Name, toolCall.Call.CallId, status);
        }

        if (run.EventsOn)
        {
            run.Emit(new AgentToolCompletedEvent(iteration, toolCall));
        }
    }

    private object? LimitResult(object? result)
    {
        if (Options.MaxToolResultLength is not { } max)
        {
            return result;
        }

        var text = result switch
        {
            null => "null",
            string s => s,
            TextContent t => t.Text,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
            _ => JsonSerializer.Serialize(result, CompactJson.GetTypeInfo(result.GetType())),
        };
        return Truncate(text, max);
    }

    internal static string Truncate(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        // The marker says how much was cut; its own length depends on that number, so settle it in two passes.
        var marker = Marker(text.Length - max);
        marker = Marker(text.Length - Math.Max(0, max - marker.Length));
        var keep = max - marker.Length;
        return keep <= 0 ? text[..max] : string.Concat(text.AsSpan(0, keep), marker);

        static string Marker(int cut) => $"… [{cut} more characters cut]";
    }

    private sealed record ToolEntry(AIFunction Function, ToolArgumentValidator Validator, bool RequiresApproval);

    /// <summary>The mutable state of one run.</summary>
    private sealed class RunState
    {
        private readonly AgentEngine _engine;
        private readonly List<ChatMessage> _history;
        private readonly int _firstNew;
        private readonly long _started;
        private readonly TimeSpan? _wallTime;
        private List<ChatMessage>? _unsent;
        private bool _resultsPending;
        private ChatOptions _chatOptions;

        public RunState(AgentEngine engine, AgentInput input, RunContext context, bool streaming)
        {
            _engine = engine;
            Context = context;
            Streaming = streaming;
            EventsOn = context.Scope is { HasSink: true };
            Logger = context.Options?.LoggerFactory?.CreateLogger(AgentLog.CategoryName);
            _chatOptions = engine._chatOptions;
            _wallTime = engine.Options.MaxWallTime;
            _started = context.TimeProvider.GetTimestamp();
            var history = input.History;
            _history = new List<ChatMessage>(1 + (history?.Count ?? 0) + input.Messages.Count + 4);
            if (engine._instructions is { } instructions)
            {
                _history.Add(instructions);
            }

            if (history is not null)
            {
                _history.AddRange(history);
            }

            _history.AddRange(input.Messages);
            _firstNew = _history.Count;
        }

        public RunContext Context { get; }

        public bool Streaming { get; }

        /// <summary>Gets a value indicating whether an event sink observes the run (events are made only then).</summary>
        public bool EventsOn { get; }

        public ILogger? Logger { get; }

        public List<AgentStep> Steps { get; } = [];

        public UsageDetails Usage { get; } = new();

        public ChatOptions ChatOptions => _chatOptions;

        public bool WallTimeExceeded() => _wallTime is { } limit && Context.TimeProvider.GetElapsedTime(_started) >= limit;

        /// <summary>The whole conversation, or only what the service has not seen when it keeps the conversation.</summary>
        public List<ChatMessage> MessagesToSend() => _unsent ?? _history;

        public void AddResponse(ChatResponse response)
        {
            if (response.Usage is { } usage)
            {
                Usage.Add(usage);
            }

            _history.AddRange(response.Messages);
            if (response.ConversationId is { } conversationId)
            {
                // The service keeps the conversation: from now on send only new messages, under its id.
                if (!string.Equals(_chatOptions.ConversationId, conversationId, StringComparison.Ordinal))
                {
                    _chatOptions = _chatOptions.Clone();
                    _chatOptions.ConversationId = conversationId;
                }

                (_unsent ??= []).Clear();
            }
        }

        public void AddMessage(ChatMessage message)
        {
            _history.Add(message);
            _unsent?.Add(message);
        }

        public void AddStep(int iteration, ChatResponse response, AgentToolCall[] toolCalls)
        {
            Steps.Add(new AgentStep(iteration, response, toolCalls));
            _resultsPending = toolCalls.Length > 0;
        }

        public void AddToolResults(AgentToolCall[] toolCalls)
        {
            var contents = new List<AIContent>(toolCalls.Length);
            foreach (var toolCall in toolCalls)
            {
                contents.Add(toolCall.Result!);
            }

            AddMessage(new ChatMessage(ChatRole.Tool, contents));
            _resultsPending = false;
        }

        public void ReplaceCall(FunctionCallContent original, FunctionCallContent replacement)
        {
            for (var m = _history.Count - 1; m >= _firstNew; m--)
            {
                var contents = _history[m].Contents;
                var index = contents.IndexOf(original);
                if (index >= 0)
                {
                    contents[index] = replacement;
                    return;
                }
            }
        }

        /// <summary>Removes the last response's messages when their tool calls will never be answered.</summary>
        public void DropUnansweredCalls()
        {
            var last = Steps[^1].Response.Messages;
            for (var i = last.Count - 1; i >= 0; i--)
            {
                var index = _history.LastIndexOf(last[i]);
                if (index >= _firstNew && last[i].Contents.Any(c => c is FunctionCallContent))
                {
                    _history.RemoveAt(index);
                }
            }
        }

        /// <summary>After a cancellation in the middle of a round: the calls never got their results to the model, so
        /// the response that made them leaves the conversation.</summary>
        public void DropPendingRound()
        {
            if (_resultsPending)
            {
                DropUnansweredCalls();
                _resultsPending = false;
            }
        }

        public void Emit(AgentEvent agentEvent) => Context.Scope?.Chunk(agentEvent);

        public AgentResult ToResult(AgentStopReason stopReason)
        {
            var messages = _history.GetRange(_firstNew, _history.Count - _firstNew);
            var text = Steps.Count == 0 ? string.Empty : Steps[^1].Response.Text;
            return new AgentResult(stopReason, text, Steps, messages, Usage, Context.TimeProvider.GetElapsedTime(_started));
        }
    }
}
