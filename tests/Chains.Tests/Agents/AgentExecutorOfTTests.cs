using Chains.Agents;
using Microsoft.Extensions.AI;
using static Chains.Tests.Agents.Script;

namespace Chains.Tests.Agents;

public sealed class AgentExecutorOfTTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record Forecast(string City, int HighCelsius);

    private static AIFunction Weather() => AIFunctionFactory.Create((string city) => $"{city}: sunny, 24C", "weather");

    [Fact]
    public async Task InvokeAsync_ToolThenJsonAnswer_ParsedIntoOutput()
    {
        var script = Of(Calls(Call("c1", "weather", ("city", "Lyon"))), Text("""{"city":"Lyon","highCelsius":24}"""));
        var agent = new AgentExecutor<Forecast>(script.Client, [Weather()], new AgentExecutorOptions { Instructions = "You forecast." });

        var result = await agent.InvokeAsync("Lyon?", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        Assert.Equal(new Forecast("Lyon", 24), result.Output);
        Assert.IsType<ChatResponseFormatJson>(script.Options[0]!.ResponseFormat);
        var system = script.Sent[0][0].Text;
        Assert.StartsWith("You forecast.", system, StringComparison.Ordinal);
        Assert.Contains("highCelsius", system, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_AnswerDoesNotParse_ErrorFedBackThenParsed()
    {
        var script = Of(Text("It will be sunny."), Text("```json\n{\"city\":\"Lyon\",\"highCelsius\":24}\n```"));
        var agent = new AgentExecutor<Forecast>(script.Client);

        var result = await agent.InvokeAsync("Lyon?", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        Assert.Equal(24, result.Output!.HighCelsius);
        var feedback = script.Sent[1][^1];
        Assert.Equal(ChatRole.User, feedback.Role);
        Assert.StartsWith("Your final answer could not be read:", feedback.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_NeverParses_StopsWithTooManyErrorsAndNoOutput()
    {
        var script = Of(Text("no json, sorry"));
        var agent = new AgentExecutor<Forecast>(script.Client, options: new AgentExecutorOptions { MaxConsecutiveErrors = 2 });

        var result = await agent.InvokeAsync("x", cancellationToken: Ct);

        Assert.Equal(AgentStopReason.TooManyErrors, result.StopReason);
        Assert.Null(result.Output);
        Assert.Equal(3, script.Turns);
        Assert.Equal("no json, sorry", result.Text);
    }

    [Fact]
    public async Task InvokeAsync_ResponseFormatOff_InstructionsStillAskForJson()
    {
        var script = Of(Text("""{"city":"Oslo","highCelsius":3}"""));
        var agent = new AgentExecutor<Forecast>(script.Client, useResponseFormat: false);

        var result = await agent.InvokeAsync("Oslo?", cancellationToken: Ct);

        Assert.Null(script.Options[0]!.ResponseFormat);
        Assert.Equal(ChatRole.System, script.Sent[0][0].Role);
        Assert.Equal("Oslo", result.Output!.City);
    }

    [Fact]
    public async Task StreamAsync_JsonAnswer_YieldsOneTypedResult()
    {
        var script = Of(Text("""{"city":"Rome","highCelsius":30}"""));
        var agent = new AgentExecutor<Forecast>(script.Client);

        var results = new List<AgentResult<Forecast>>();
        await foreach (var chunk in agent.StreamAsync("Rome?", cancellationToken: Ct))
        {
            results.Add(chunk);
        }

        Assert.Equal(new Forecast("Rome", 30), Assert.Single(results).Output);
    }

    [Fact]
    public void Constructor_ApprovalToolWithoutCallback_Throws()
        => Assert.Throws<ArgumentException>(() => new AgentExecutor<Forecast>(Of(Text("x")).Client, [new ApprovalRequiredAIFunction(Weather())]));
}
