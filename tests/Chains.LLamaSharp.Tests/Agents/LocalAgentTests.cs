using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using Chains.Agents;
using Chains.LLamaSharp.Tests.Support;
using Json.Schema;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Tests.Agents;

/// <summary>
/// End to end on llama.cpp: the generated random-weight model, through the chat client's grammar-constrained tool calls,
/// drives a Chains agent run (and M.E.AI's function-invocation loop) that calls a real <see cref="AIFunctionFactory"/>
/// tool and finishes. The model's text is gibberish; the grammar is what makes the call valid, and a small
/// <c>ChatClientBuilder.Use</c> stage picks the tool mode per turn: a call is required until a tool result is in the
/// conversation, then the model answers in text.
/// </summary>
public sealed class LocalAgentTests
{
    private const int Seed = 7;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AgentExecutor_ToolRequiredOnFirstTurn_CallsTheToolWithValidArgumentsAndFinishes()
    {
        var (result, invocations, schema) = await RunAgentAsync();
        TestContext.Current.TestOutputHelper?.WriteLine(schema.GetRawText() + "\n" + Transcript(result.Messages));

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        Assert.Equal(2, result.Iterations);

        // Turn 1: exactly one call of the tool, with arguments valid against the schema AIFunctionFactory generated.
        var call = Assert.Single(result.Steps[0].ToolCalls);
        Assert.Equal("get_forecast", call.Call.Name);
        Assert.Equal(AgentToolCallStatus.Succeeded, call.Status);
        var arguments = JsonSerializer.SerializeToElement(call.Call.Arguments);
        var validation = JsonSchema.FromText(schema.GetRawText()).Evaluate(arguments, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(validation.IsValid, $"{arguments.GetRawText()} does not match {schema.GetRawText()}");
        var invocation = Assert.Single(invocations);
        Assert.Equal(call.Call.Arguments!["city"]?.ToString(), invocation.City);
        Assert.Equal($"{invocation.Days} days of sun in {invocation.City}", call.Result?.Result?.ToString());

        // The result went back to the model, which then answered in text: the run's final answer.
        Assert.Contains(result.Messages, m => m.Role == ChatRole.Tool && m.Contents.OfType<FunctionResultContent>().Any());
        Assert.Empty(result.Steps[1].ToolCalls);
        Assert.False(string.IsNullOrEmpty(result.Text));
        Assert.Equal(result.Steps[1].Response.Text, result.Text);
        Assert.True(result.Usage.InputTokenCount > 0 && result.Usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task AgentExecutor_SameSeedTwice_IdenticalTranscriptAndToolArguments()
    {
        var first = await RunAgentAsync();
        var second = await RunAgentAsync();

        Assert.Equal(AgentStopReason.Completed, first.Result.StopReason);
        Assert.Equal(first.Invocations, second.Invocations);
        Assert.Equal(Transcript(first.Result.Messages), Transcript(second.Result.Messages));
    }

    [Fact]
    public async Task UseFunctionInvocation_ToolRequiredOnFirstTurn_InvokesTheToolAndAnswersDeterministically()
    {
        var (response, invocations, schema) = await RunFunctionInvocationAsync();
        var again = await RunFunctionInvocationAsync();

        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        var call = Assert.Single(contents.OfType<FunctionCallContent>());
        var result = Assert.Single(contents.OfType<FunctionResultContent>());
        Assert.Equal(call.CallId, result.CallId);
        Assert.Equal("get_forecast", call.Name);
        Assert.True(JsonSchema.FromText(schema.GetRawText()).Evaluate(JsonSerializer.SerializeToElement(call.Arguments)).IsValid);
        var invocation = Assert.Single(invocations);
        Assert.Equal($"{invocation.Days} days of sun in {invocation.City}", result.Result?.ToString());
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
        Assert.False(string.IsNullOrEmpty(response.Messages[^1].Text));

        Assert.Equal(invocations, again.Invocations);
        Assert.Equal(Transcript(response.Messages), Transcript(again.Response.Messages));
    }

    private static async Task<(AgentResult Result, List<(string City, int Days)> Invocations, JsonElement Schema)> RunAgentAsync()
    {
        // A fresh model each run: nothing cached from an earlier run can make this one differ.
        using var model = TestModels.Load(TestModels.Options(contextSize: 2048, sequences: 1));
        var (tool, invocations) = ForecastTool();
        using var client = new ChatClientBuilder(model.AsChatClient()).Use(ToolModePerTurn).Build();
        var agent = new AgentExecutor(client, [tool], new AgentExecutorOptions
        {
            Instructions = "You are a weather assistant. Use the tools.",
            MaxIterations = 3,
            ChatOptions = new ChatOptions { Seed = Seed, MaxOutputTokens = 200, AllowMultipleToolCalls = false },
        });

        var result = await agent.InvokeAsync("What is the weather in Paris for the next 2 days?", cancellationToken: Ct);
        return (result, invocations, tool.JsonSchema);
    }

    private static async Task<(ChatResponse Response, List<(string City, int Days)> Invocations, JsonElement Schema)> RunFunctionInvocationAsync()
    {
        using var model = TestModels.Load(TestModels.Options(contextSize: 2048, sequences: 1));
        var (tool, invocations) = ForecastTool();

        // The function-invocation loop is outermost; the tool-mode stage sits between it and the model.
        using var client = new ChatClientBuilder(model.AsChatClient())
            .UseFunctionInvocation(configure: c => c.MaximumIterationsPerRequest = 3)
            .Use(ToolModePerTurn)
            .Build();

        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "巴黎未来两天的天气怎么样？")],
            new ChatOptions { Seed = Seed, Tools = [tool], MaxOutputTokens = 200, AllowMultipleToolCalls = false },
            Ct);
        return (response, invocations, tool.JsonSchema);
    }

    private static (AIFunction Tool, List<(string City, int Days)> Invocations) ForecastTool()
    {
        var invocations = new List<(string City, int Days)>();
        var tool = AIFunctionFactory.Create(
            ([Description("The city"), MaxLength(12)] string city, [Description("How many days")] int days) =>
            {
                invocations.Add((city, days));
                return $"{days} days of sun in {city}";
            },
            "get_forecast",
            "Gets the weather forecast for a city.");
        return (tool, invocations);
    }

    /// <summary>Requires a tool call until the conversation holds a tool result, then asks for a text answer.</summary>
    private static Task ToolModePerTurn(IEnumerable<ChatMessage> messages, ChatOptions? options, Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, Task> next, CancellationToken cancellationToken)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var options2 = options?.Clone() ?? new ChatOptions();
        options2.ToolMode = list.Any(m => m.Role == ChatRole.Tool) ? ChatToolMode.None : ChatToolMode.RequireAny;
        return next(list, options2, cancellationToken);
    }

    /// <summary>The conversation as text: roles, text, call names and arguments, results (call ids carry a per-process
    /// counter and are left out).</summary>
    private static string Transcript(IEnumerable<ChatMessage> messages)
    {
        var sb = new StringBuilder();
        foreach (var message in messages)
        {
            sb.Append('[').Append(message.Role.Value).Append(']');
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent text:
                        sb.Append(" text:").Append(text.Text);
                        break;
                    case FunctionCallContent call:
                        sb.Append(" call:").Append(call.Name).Append(JsonSerializer.Serialize(call.Arguments));
                        break;
                    case FunctionResultContent result:
                        sb.Append(" result:").Append(result.Result);
                        break;
                    default:
                        break;
                }
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
