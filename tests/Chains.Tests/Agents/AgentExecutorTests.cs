using System.Text.Json;
using Chains.Agents;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using static Chains.Tests.Agents.Script;

namespace Chains.Tests.Agents;

public sealed class AgentExecutorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AIFunction Add(Action? onCall = null) => AIFunctionFactory.Create(
        (int a, int b) =>
        {
            onCall?.Invoke();
            return a + b;
        },
        "add",
        "Adds two integers.");

    // ---- the loop ----

    [Fact]
    public async Task InvokeAsync_ModelAnswersDirectly_CompletesWithTextAndInstructionsFirst()
    {
        var script = Of(Text("Paris."));
        var agent = new AgentExecutor(script.Client, [Add()], new AgentExecutorOptions { Instructions = "Be brief." });

        var result = await agent.InvokeAsync("Capital of France?", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        Assert.True(result.IsCompleted);
        Assert.Equal("Paris.", result.Text);
        Assert.Equal(1, result.Iterations);
        var sent = Assert.Single(script.Sent);
        Assert.Equal([ChatRole.System, ChatRole.User], sent.Select(m => m.Role));
        Assert.Equal("Be brief.", sent[0].Text);
        Assert.Equal("add", Assert.Single(script.Options[0]!.Tools!).Name);
    }

    [Fact]
    public async Task InvokeAsync_ToolCall_RunsToolAndSendsResultBack()
    {
        var script = Of(Calls(Call("c1", "add", ("a", 2), ("b", 3))), Text("5"));
        var agent = new AgentExecutor(script.Client, [Add()]);

        var result = await agent.InvokeAsync("2+3?", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        var call = Assert.Single(result.Steps[0].ToolCalls);
        Assert.Equal(AgentToolCallStatus.Succeeded, call.Status);
        Assert.Equal("5", call.Result!.Result!.ToString());
        var sentResult = Assert.Single(Results(script.Sent[1]));
        Assert.Equal("c1", sentResult.CallId);
        Assert.Equal("5", sentResult.Result!.ToString());
        Assert.Equal(ChatRole.Tool, script.Sent[1][^1].Role);
    }

    [Fact]
    public async Task InvokeAsync_HistoryGiven_SentBetweenInstructionsAndNewMessages()
    {
        var script = Of(Text("ok"));
        var agent = new AgentExecutor(script.Client, options: new AgentExecutorOptions { Instructions = "sys" });
        var input = new AgentInput("now") { History = [new ChatMessage(ChatRole.User, "before"), new ChatMessage(ChatRole.Assistant, "earlier answer")] };

        await agent.InvokeAsync(input, cancellationToken: Ct);

        Assert.Equal(["sys", "before", "earlier answer", "now"], script.Sent[0].Select(m => m.Text));
    }

    [Fact]
    public async Task InvokeAsync_ToolRound_MessagesHoldCallResultsAndAnswerForHistory()
    {
        var script = Of(Calls(Call("c1", "add", ("a", 1), ("b", 1))), Text("2"));
        var agent = new AgentExecutor(script.Client, [Add()]);

        var result = await agent.InvokeAsync("1+1", cancellationToken: Ct);

        Assert.Equal([ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], result.Messages.Select(m => m.Role));
        Assert.IsType<FunctionCallContent>(Assert.Single(result.Messages[0].Contents));
        Assert.Equal("2", result.Messages[^1].Text);
    }

    [Fact]
    public async Task InvokeAsync_HostedToolAndInformationalCall_DeclaredButNeverInvokedLocally()
    {
        var script = Of(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("w1", "web_search") { InformationalOnly = true }, new TextContent("found it")])));
        var agent = new AgentExecutor(script.Client, [new HostedWebSearchTool()]);

        var result = await agent.InvokeAsync("search", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        Assert.Equal("found it", result.Text);
        Assert.Empty(result.Steps[0].ToolCalls);
        Assert.IsType<HostedWebSearchTool>(Assert.Single(script.Options[0]!.Tools!));
    }

    [Fact]
    public async Task InvokeAsync_BaseChatOptions_KeptWithToolsAdded()
    {
        var script = Of(Text("ok"));
        var agent = new AgentExecutor(script.Client, [Add()], new AgentExecutorOptions { ChatOptions = new ChatOptions { Temperature = 0.1f, Tools = [new HostedCodeInterpreterTool()] } });

        await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(0.1f, script.Options[0]!.Temperature);
        Assert.Equal(["code_interpreter", "add"], script.Options[0]!.Tools!.Select(t => t.Name));
    }

    [Fact]
    public async Task InvokeAsync_ServiceKeepsConversation_SendsOnlyNewMessagesUnderItsId()
    {
        var script = Of(WithConversation(Calls(Call("c1", "add", ("a", 1), ("b", 2))), "conv-1"), WithConversation(Text("3"), "conv-1"));
        var agent = new AgentExecutor(script.Client, [Add()]);

        await agent.InvokeAsync("1+2", cancellationToken: Ct);

        Assert.Null(script.Options[0]!.ConversationId);
        Assert.Equal("conv-1", script.Options[1]!.ConversationId);
        Assert.Equal(ChatRole.Tool, Assert.Single(script.Sent[1]).Role);

        static ChatResponse WithConversation(ChatResponse response, string id)
        {
            response.ConversationId = id;
            return response;
        }
    }

    [Fact]
    public void Constructor_DuplicateToolNames_ThrowsNamingTheTool()
    {
        var error = Assert.Throws<ArgumentException>(() => new AgentExecutor(new FakeChatClient(), [Add(), Add()]));

        Assert.Contains("'add'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ApprovalToolWithoutCallback_ThrowsNamingTheTool()
    {
        var error = Assert.Throws<ArgumentException>(() => new AgentExecutor(new FakeChatClient(), [new ApprovalRequiredAIFunction(Add())]));

        Assert.Contains("'add'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ApprovalCallback", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(AgentExecutorOptions.MaxIterations))]
    [InlineData(nameof(AgentExecutorOptions.MaxTotalTokens))]
    [InlineData(nameof(AgentExecutorOptions.MaxWallTime))]
    [InlineData(nameof(AgentExecutorOptions.MaxParallelToolCalls))]
    [InlineData(nameof(AgentExecutorOptions.MaxConsecutiveErrors))]
    [InlineData(nameof(AgentExecutorOptions.MaxErrorLength))]
    [InlineData(nameof(AgentExecutorOptions.MaxToolResultLength))]
    public void Constructor_OptionOutOfRange_ThrowsNamingTheOption(string option)
    {
        var options = option switch
        {
            nameof(AgentExecutorOptions.MaxIterations) => new AgentExecutorOptions { MaxIterations = 0 },
            nameof(AgentExecutorOptions.MaxTotalTokens) => new AgentExecutorOptions { MaxTotalTokens = 0 },
            nameof(AgentExecutorOptions.MaxWallTime) => new AgentExecutorOptions { MaxWallTime = TimeSpan.Zero },
            nameof(AgentExecutorOptions.MaxParallelToolCalls) => new AgentExecutorOptions { MaxParallelToolCalls = 0 },
            nameof(AgentExecutorOptions.MaxConsecutiveErrors) => new AgentExecutorOptions { MaxConsecutiveErrors = -1 },
            nameof(AgentExecutorOptions.MaxErrorLength) => new AgentExecutorOptions { MaxErrorLength = 5 },
            _ => new AgentExecutorOptions { MaxToolResultLength = 5 },
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AgentExecutor(new FakeChatClient(), options: options));

        Assert.Equal(option, error.ParamName);
    }

    // ---- limits ----

    [Fact]
    public async Task InvokeAsync_MaxIterationsReached_StopsWithoutRunningTheLastCalls()
    {
        var invocations = 0;
        var script = Of((turn, _) => Calls(Call($"c{turn}", "add", ("a", turn), ("b", 0))));
        var agent = new AgentExecutor(script.Client, [Add(() => invocations++)], new AgentExecutorOptions { MaxIterations = 3 });

        var result = await agent.InvokeAsync("loop", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.MaxIterations, result.StopReason);
        Assert.Equal(3, script.Turns);
        Assert.Equal(2, invocations);
        Assert.Equal(AgentToolCallStatus.NotRun, Assert.Single(result.Steps[^1].ToolCalls).Status);
        Assert.Null(result.Steps[^1].ToolCalls[0].Result);

        // The unanswered call is left out, so the messages stay a valid history.
        Assert.Equal(ChatRole.Tool, result.Messages[^1].Role);
        Assert.Equal(4, result.Messages.Count);
    }

    [Fact]
    public async Task InvokeAsync_TokenBudgetReached_StopsWithTokenBudget()
    {
        var invocations = 0;
        var script = Of((turn, _) => Calls(new UsageDetails { InputTokenCount = 50, OutputTokenCount = 10, TotalTokenCount = 60 }, Call($"c{turn}", "add", ("a", 1), ("b", 1))));
        var agent = new AgentExecutor(script.Client, [Add(() => invocations++)], new AgentExecutorOptions { MaxTotalTokens = 100 });

        var result = await agent.InvokeAsync("spend", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.TokenBudget, result.StopReason);
        Assert.Equal(2, script.Turns);
        Assert.Equal(1, invocations);
        Assert.Equal(120, result.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task InvokeAsync_UsageWithoutTotal_InputPlusOutputCounted()
    {
        var script = Of((turn, _) => Calls(new UsageDetails { InputTokenCount = 40, OutputTokenCount = 20 }, Call($"c{turn}", "add", ("a", 1), ("b", 1))));
        var agent = new AgentExecutor(script.Client, [Add()], new AgentExecutorOptions { MaxTotalTokens = 100 });

        var result = await agent.InvokeAsync("spend", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.TokenBudget, result.StopReason);
        Assert.Equal(2, script.Turns);
    }

    [Fact]
    public async Task InvokeAsync_FinalAnswerPastTokenBudget_CompletesWithTheAnswer()
    {
        var script = Of(Text("done", new UsageDetails { TotalTokenCount = 500 }));
        var agent = new AgentExecutor(script.Client, [Add()], new AgentExecutorOptions { MaxTotalTokens = 100 });

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        Assert.Equal("done", result.Text);
    }

    [Fact]
    public async Task InvokeAsync_WallTimePassesBetweenCalls_StopsWithWallTime()
    {
        var time = new FakeTimeProvider();
        var invocations = 0;
        var script = Of((turn, _) =>
        {
            time.Advance(TimeSpan.FromSeconds(10));
            return Calls(Call($"c{turn}", "add", ("a", 1), ("b", 1)));
        });
        var agent = new AgentExecutor(script.Client, [Add(() => invocations++)], new AgentExecutorOptions { MaxWallTime = TimeSpan.FromSeconds(15) });

        var result = await agent.InvokeAsync("slow", new RunOptions { TimeProvider = time }, Ct);

        Assert.Equal(AgentStopReason.WallTime, result.StopReason);
        Assert.Equal(2, script.Turns);
        Assert.Equal(1, invocations);
        Assert.Equal(TimeSpan.FromSeconds(20), result.Elapsed);
    }

    [Fact]
    public async Task InvokeAsync_WallTimePassesDuringTool_CancelsToolAndStops()
    {
        var time = new FakeTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var toolCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hang = AIFunctionFactory.Create(
            async (CancellationToken ct) =>
            {
                started.SetResult();
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }
                catch (OperationCanceledException)
                {
                    toolCancelled.SetResult();
                    throw;
                }

                return "never";
            },
            "hang");
        var script = Of(Calls(Call("c1", "hang")), Text("unreachable"));
        var agent = new AgentExecutor(script.Client, [hang], new AgentExecutorOptions { MaxWallTime = TimeSpan.FromMinutes(1) });

        var run = agent.InvokeAsync("x", new RunOptions { TimeProvider = time }, Ct).AsTask();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        time.Advance(TimeSpan.FromMinutes(1));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(AgentStopReason.WallTime, result.StopReason);
        await toolCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(1, script.Turns);
        Assert.Empty(result.Messages);
    }

    [Fact]
    public async Task InvokeAsync_WallTimePassesDuringModelCall_StopsWithWallTime()
    {
        var time = new FakeTimeProvider();
        var calling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var script = OfAsync(async (_, _, ct) =>
        {
            calling.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return Text("never");
        });
        var agent = new AgentExecutor(script.Client, options: new AgentExecutorOptions { MaxWallTime = TimeSpan.FromSeconds(30) });

        var run = agent.InvokeAsync("x", new RunOptions { TimeProvider = time }, Ct).AsTask();
        await calling.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        time.Advance(TimeSpan.FromSeconds(30));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(AgentStopReason.WallTime, result.StopReason);
        Assert.Empty(result.Steps);
        Assert.Equal(string.Empty, result.Text);
    }

    [Fact]
    public async Task InvokeAsync_CallerCancels_ThrowsOperationCanceled()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var script = OfAsync(async (_, _, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return Text("never");
        });
        var agent = new AgentExecutor(script.Client, options: new AgentExecutorOptions { MaxWallTime = TimeSpan.FromMinutes(5) });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await agent.InvokeAsync("x", cancellationToken: cts.Token));
    }

    // ---- errors go back to the model ----

    [Fact]
    public async Task InvokeAsync_ToolThrows_ErrorWithMessageGoesBackToModel()
    {
        var boom = AIFunctionFactory.Create(string (string city) => throw new InvalidOperationException($"no weather for {city}"), "weather");
        var script = Of(Calls(Call("c1", "weather", ("city", "Atlantis"))), Text("sorry"));
        var agent = new AgentExecutor(script.Client, [boom]);

        var result = await agent.InvokeAsync("weather?", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        var call = Assert.Single(result.Steps[0].ToolCalls);
        Assert.Equal(AgentToolCallStatus.Failed, call.Status);
        Assert.IsType<InvalidOperationException>(call.Error);
        var sent = Assert.Single(Results(script.Sent[1]));
        Assert.Equal("Error: 'weather' failed: InvalidOperationException: no weather for Atlantis", sent.Result);
        Assert.Same(call.Error, sent.Exception);
    }

    [Fact]
    public async Task InvokeAsync_ErrorDetailsOff_OnlyExceptionTypeGoesBack()
    {
        var boom = AIFunctionFactory.Create(string () => throw new InvalidOperationException("secret connection string"), "leaky");
        var script = Of(Calls(Call("c1", "leaky")), Text("ok"));
        var agent = new AgentExecutor(script.Client, [boom], new AgentExecutorOptions { IncludeErrorDetails = false });

        await agent.InvokeAsync("x", cancellationToken: Ct);

        var text = (string)Results(script.Sent[1])[0].Result!;
        Assert.Equal("Error: 'leaky' failed (InvalidOperationException).", text);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_AgentToolException_MessageSentEvenWithDetailsOff()
    {
        var tool = AIFunctionFactory.Create(string (string city) => throw new AgentToolException($"Unknown city '{city}'; did you mean 'Paris'?"), "weather");
        var script = Of(Calls(Call("c1", "weather", ("city", "Pariss"))), Text("ok"));
        var agent = new AgentExecutor(script.Client, [tool], new AgentExecutorOptions { IncludeErrorDetails = false });

        await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal("Error: Unknown city 'Pariss'; did you mean 'Paris'?", Results(script.Sent[1])[0].Result);
    }

    [Fact]
    public async Task InvokeAsync_UnknownTool_ErrorListsTheTools()
    {
        var script = Of(Calls(Call("c1", "multiply", ("a", 2))), Text("ok"));
        var agent = new AgentExecutor(script.Client, [Add()]);

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(AgentToolCallStatus.UnknownTool, result.Steps[0].ToolCalls[0].Status);
        Assert.Equal("Error: there is no tool named 'multiply'. Available tools: add.", Results(script.Sent[1])[0].Result);
    }

    [Fact]
    public async Task InvokeAsync_MissingRequiredArgument_ToolNotCalledAndErrorNamesIt()
    {
        var invocations = 0;
        var script = Of(Calls(Call("c1", "add", ("a", 2))), Text("ok"));
        var agent = new AgentExecutor(script.Client, [Add(() => invocations++)]);

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(0, invocations);
        Assert.Equal(AgentToolCallStatus.InvalidArguments, result.Steps[0].ToolCalls[0].Status);
        Assert.Equal("Error: invalid arguments for 'add': 'b' is required.", Results(script.Sent[1])[0].Result);
    }

    [Fact]
    public async Task InvokeAsync_WrongArgumentType_ErrorNamesExpectedAndActual()
    {
        var script = Of(Calls(Call("c1", "add", ("a", JsonElement.Parse("\"three\"")), ("b", JsonElement.Parse("4")))), Text("ok"));
        var agent = new AgentExecutor(script.Client, [Add()]);

        await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal("Error: invalid arguments for 'add': 'a' must be an integer, got \"three\".", Results(script.Sent[1])[0].Result);
    }

    [Fact]
    public async Task InvokeAsync_NumberSentAsString_Accepted()
    {
        var script = Of(Calls(Call("c1", "add", ("a", JsonElement.Parse("\"3\"")), ("b", JsonElement.Parse("4")))), Text("ok"));
        var agent = new AgentExecutor(script.Client, [Add()]);

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(AgentToolCallStatus.Succeeded, result.Steps[0].ToolCalls[0].Status);
        Assert.Equal("7", Results(script.Sent[1])[0].Result!.ToString());
    }

    [Fact]
    public async Task InvokeAsync_UnparseableArguments_ErrorSaysTheyCouldNotBeRead()
    {
        var broken = new FunctionCallContent("c1", "add") { Exception = new JsonException("'}' is invalid after a property name.") };
        var script = Of(Calls(broken), Text("ok"));
        var agent = new AgentExecutor(script.Client, [Add()]);

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(AgentToolCallStatus.InvalidArguments, result.Steps[0].ToolCalls[0].Status);
        Assert.Equal("Error: the arguments for 'add' could not be read: '}' is invalid after a property name.", Results(script.Sent[1])[0].Result);
    }

    [Fact]
    public async Task InvokeAsync_ErrorEveryRound_StopsWithTooManyErrorsAfterTheBound()
    {
        var script = Of((turn, _) => Calls(Call($"c{turn}", "nope")));
        var agent = new AgentExecutor(script.Client, [Add()], new AgentExecutorOptions { MaxConsecutiveErrors = 2 });

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.TooManyErrors, result.StopReason);
        Assert.Equal(3, script.Turns);
        Assert.All(result.Steps, s => Assert.Equal(AgentToolCallStatus.UnknownTool, s.ToolCalls[0].Status));
    }

    [Fact]
    public async Task InvokeAsync_ErrorsInterleavedWithSuccess_CountResets()
    {
        var script = Of((turn, _) => turn switch
        {
            1 or 3 => Calls(Call($"c{turn}", "nope")),
            2 or 4 => Calls(Call($"c{turn}", "add", ("a", 1), ("b", 1))),
            _ => Text("done"),
        });
        var agent = new AgentExecutor(script.Client, [Add()], new AgentExecutorOptions { MaxConsecutiveErrors = 1 });

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        Assert.Equal(5, script.Turns);
    }

    [Fact]
    public async Task InvokeAsync_LongError_CutToMaxErrorLength()
    {
        var tool = AIFunctionFactory.Create(string () => throw new AgentToolException(new string('x', 5000)), "noisy");
        var script = Of(Calls(Call("c1", "noisy")), Text("ok"));
        var agent = new AgentExecutor(script.Client, [tool], new AgentExecutorOptions { MaxErrorLength = 100 });

        await agent.InvokeAsync("x", cancellationToken: Ct);

        var text = (string)Results(script.Sent[1])[0].Result!;
        Assert.Equal(100, text.Length);
        Assert.EndsWith("more characters cut]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_McpErrorResult_CountsAsFailureWithServerMessage()
    {
        var mcpLike = AIFunctionFactory.Create(
            () => JsonElement.Parse("""{"content":[{"type":"text","text":"disk full"}],"isError":true}"""),
            "save");
        var script = Of(Calls(Call("c1", "save")), Text("ok"));
        var agent = new AgentExecutor(script.Client, [mcpLike], new AgentExecutorOptions { IncludeErrorDetails = false });

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(AgentToolCallStatus.Failed, result.Steps[0].ToolCalls[0].Status);
        Assert.IsType<AgentToolException>(result.Steps[0].ToolCalls[0].Error);
        Assert.Equal("Error: disk full", Results(script.Sent[1])[0].Result);
    }

    [Fact]
    public async Task InvokeAsync_MaxToolResultLength_CutsLongResults()
    {
        var tool = AIFunctionFactory.Create(() => new string('r', 1000), "big");
        var script = Of(Calls(Call("c1", "big")), Text("ok"));
        var agent = new AgentExecutor(script.Client, [tool], new AgentExecutorOptions { MaxToolResultLength = 50 });

        await agent.InvokeAsync("x", cancellationToken: Ct);

        var text = Assert.IsType<string>(Results(script.Sent[1])[0].Result);
        Assert.Equal(50, text.Length);
        Assert.StartsWith("rrrr", text, StringComparison.Ordinal);
    }

    // ---- approval ----

    [Fact]
    public async Task InvokeAsync_ApprovalApproved_ToolRunsAndDecisionRecorded()
    {
        ToolApprovalRequest? asked = null;
        var script = Of(Calls(Call("c1", "add", ("a", 2), ("b", 2))), Text("4"));
        var agent = new AgentExecutor(script.Client, [new ApprovalRequiredAIFunction(Add())], new AgentExecutorOptions
        {
            ApprovalCallback = (request, _) =>
            {
                asked = request;
                return ValueTask.FromResult(ToolApprovalDecision.Approve());
            },
        });

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.NotNull(asked);
        Assert.Equal("add", asked.Value.ToolName);
        Assert.Equal(1, asked.Value.Iteration);
        Assert.Equal(2, asked.Value.Arguments!["a"]);
        var call = result.Steps[0].ToolCalls[0];
        Assert.Equal(AgentToolCallStatus.Succeeded, call.Status);
        Assert.Equal(ToolApprovalKind.Approved, call.Approval!.Kind);
    }

    [Fact]
    public async Task InvokeAsync_ApprovalRejected_ToolNotRunReasonSentNotCountedAsError()
    {
        var invocations = 0;
        var script = Of(Calls(Call("c1", "add", ("a", 2), ("b", 2))), Text("fine"));
        var agent = new AgentExecutor(script.Client, [new ApprovalRequiredAIFunction(Add(() => invocations++))], new AgentExecutorOptions
        {
            MaxConsecutiveErrors = 0,
            ApprovalCallback = (_, _) => ValueTask.FromResult(ToolApprovalDecision.Reject("too expensive")),
        });

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        Assert.Equal(0, invocations);
        Assert.Equal(AgentToolCallStatus.Rejected, result.Steps[0].ToolCalls[0].Status);
        Assert.Equal("The user rejected this call to 'add': too expensive", Results(script.Sent[1])[0].Result);
    }

    [Fact]
    public async Task InvokeAsync_ApprovalEdited_ToolRunsWithEditedArgumentsAndHistoryShowsThem()
    {
        var script = Of(Calls(Call("c1", "add", ("a", 2), ("b", 2))), Text("ok"));
        var agent = new AgentExecutor(script.Client, [new ApprovalRequiredAIFunction(Add())], new AgentExecutorOptions
        {
            ApprovalCallback = (_, _) => ValueTask.FromResult(ToolApprovalDecision.Edit(new Dictionary<string, object?> { ["a"] = 10, ["b"] = 5 })),
        });

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        var call = result.Steps[0].ToolCalls[0];
        Assert.Equal(2, call.Call.Arguments!["a"]);
        Assert.Equal(10, call.Arguments!["a"]);
        Assert.Equal("15", Results(script.Sent[1])[0].Result!.ToString());
        var shown = script.Sent[1].SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.Equal(10, shown.Arguments!["a"]);
    }

    [Fact]
    public async Task InvokeAsync_ApprovalEditedWithInvalidArguments_ReportedAsInvalid()
    {
        var script = Of(Calls(Call("c1", "add", ("a", 2), ("b", 2))), Text("ok"));
        var agent = new AgentExecutor(script.Client, [new ApprovalRequiredAIFunction(Add())], new AgentExecutorOptions
        {
            ApprovalCallback = (_, _) => ValueTask.FromResult(ToolApprovalDecision.Edit(new Dictionary<string, object?> { ["a"] = 1 })),
        });

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(AgentToolCallStatus.InvalidArguments, result.Steps[0].ToolCalls[0].Status);
        Assert.Equal("Error: invalid arguments for 'add': 'b' is required.", Results(script.Sent[1])[0].Result);
    }

    [Fact]
    public async Task InvokeAsync_SeveralCallsNeedApproval_AskedOneAtATimeInCallOrderBeforeAnyRuns()
    {
        var log = new List<string>();
        var pending = 0;
        var overlapped = false;
        var tool = new ApprovalRequiredAIFunction(AIFunctionFactory.Create(
            (string id) =>
            {
                lock (log)
                {
                    log.Add("run " + id);
                }

                return id;
            },
            "act"));
        var script = Of(Calls(Call("c1", "act", ("id", "1")), Call("c2", "act", ("id", "2")), Call("c3", "act", ("id", "3"))), Text("ok"));
        var agent = new AgentExecutor(script.Client, [tool], new AgentExecutorOptions
        {
            ApprovalCallback = async (request, ct) =>
            {
                overlapped |= Interlocked.Increment(ref pending) > 1;
                lock (log)
                {
                    log.Add("ask " + request.Call.CallId);
                }

                await Task.Yield();
                Interlocked.Decrement(ref pending);
                return ToolApprovalDecision.Approve();
            },
        });

        await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.False(overlapped);
        Assert.Equal(["ask c1", "ask c2", "ask c3"], log.Take(3));
        Assert.Equal(["run 1", "run 2", "run 3"], log.Skip(3).Order());
    }

    [Fact]
    public async Task InvokeAsync_ToolWithoutApprovalMarker_CallbackNeverAsked()
    {
        var asked = 0;
        var script = Of(Calls(Call("c1", "add", ("a", 1), ("b", 1))), Text("ok"));
        var agent = new AgentExecutor(script.Client, [Add()], new AgentExecutorOptions
        {
            ApprovalCallback = (_, _) =>
            {
                asked++;
                return ValueTask.FromResult(ToolApprovalDecision.Reject());
            },
        });

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(0, asked);
        Assert.Equal(AgentToolCallStatus.Succeeded, result.Steps[0].ToolCalls[0].Status);
    }

    // ---- parallel tool calls ----

    [Fact]
    public async Task InvokeAsync_CallsOfOneResponse_RunConcurrently()
    {
        var arrived = 0;
        var allThere = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tool = AIFunctionFactory.Create(
            async (string id, CancellationToken ct) =>
            {
                if (Interlocked.Increment(ref arrived) == 3)
                {
                    allThere.SetResult();
                }

                // Only returns when all three calls are in flight at once.
                await allThere.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
                return id;
            },
            "wait");
        var script = Of(Calls(Call("c1", "wait", ("id", "1")), Call("c2", "wait", ("id", "2")), Call("c3", "wait", ("id", "3"))), Text("ok"));
        var agent = new AgentExecutor(script.Client, [tool]);

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.All(result.Steps[0].ToolCalls, c => Assert.Equal(AgentToolCallStatus.Succeeded, c.Status));
    }

    [Fact]
    public async Task InvokeAsync_MaxParallelToolCalls_BoundsConcurrency()
    {
        var current = 0;
        var peak = 0;
        var tool = AIFunctionFactory.Create(
            async (string id, CancellationToken ct) =>
            {
                var now = Interlocked.Increment(ref current);
                InterlockedMax(ref peak, now);
                await Task.Delay(TimeSpan.FromMilliseconds(30), TimeProvider.System, ct);
                Interlocked.Decrement(ref current);
                return id;
            },
            "work");
        var calls = Enumerable.Range(1, 6).Select(i => Call($"c{i}", "work", ("id", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToArray();
        var script = Of(Calls(calls), Text("ok"));
        var agent = new AgentExecutor(script.Client, [tool], new AgentExecutorOptions { MaxParallelToolCalls = 2 });

        await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(2, peak);

        static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }

    [Fact]
    public async Task InvokeAsync_CallsFinishingOutOfOrder_ResultsSentInCallOrder()
    {
        var tool = AIFunctionFactory.Create(
            async (int delayMs, CancellationToken ct) =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(delayMs), TimeProvider.System, ct);
                return delayMs;
            },
            "sleep");
        var script = Of(Calls(Call("slow", "sleep", ("delayMs", 80)), Call("mid", "sleep", ("delayMs", 40)), Call("fast", "sleep", ("delayMs", 1))), Text("ok"));
        var agent = new AgentExecutor(script.Client, [tool]);

        await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(["slow", "mid", "fast"], Results(script.Sent[1]).Select(r => r.CallId));
    }

    // ---- events ----

    [Fact]
    public async Task StreamEventsAsync_ToolRound_ModelAndToolCallsAreChildStepsOfTheAgent()
    {
        var script = Of(Calls(Call("c1", "add", ("a", 1), ("b", 2))), Text("3"));
        var agent = new AgentExecutor(script.Client, [Add()]);

        var events = new List<RunEvent>();
        await foreach (var runEvent in agent.StreamEventsAsync("x", cancellationToken: Ct))
        {
            events.Add(runEvent);
        }

        var root = Assert.IsType<RunStartedEvent>(events[0]);
        Assert.Equal("agent", root.Info.StepKind);
        var children = events.OfType<RunStartedEvent>().Where(e => e.ParentRunId == root.RunId).ToList();
        Assert.Equal(["chat_model", "tool", "chat_model"], children.Select(c => c.Info.StepKind));
        Assert.Equal("add", children[1].Name);
        var toolEnd = events.OfType<RunCompletedEvent>().Single(e => e.RunId == children[1].RunId);
        Assert.Equal("3", Assert.IsType<FunctionResultContent>(toolEnd.Output).Result!.ToString());
        Assert.IsType<RunCompletedEvent>(events[^1]);
    }

    [Fact]
    public async Task StreamEventsAsync_ToolFails_ToolStepFailsButAgentCompletes()
    {
        var boom = AIFunctionFactory.Create(string () => throw new InvalidOperationException("x"), "boom");
        var script = Of(Calls(Call("c1", "boom")), Text("ok"));
        var agent = new AgentExecutor(script.Client, [boom]);

        var events = new List<RunEvent>();
        await foreach (var runEvent in agent.StreamEventsAsync("x", cancellationToken: Ct))
        {
            events.Add(runEvent);
        }

        var failed = Assert.Single(events.OfType<RunFailedEvent>());
        Assert.Equal("boom", failed.Name);
        Assert.Equal("agent", events.OfType<RunCompletedEvent>().Last().Info.StepKind);
    }
}
