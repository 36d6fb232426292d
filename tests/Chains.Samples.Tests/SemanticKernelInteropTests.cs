namespace Chains.Samples.Tests;

public sealed class SemanticKernelInteropTests
{
    [Fact]
    public async Task Run_NoModelConfigured_AgentCallsKernelPluginAndKernelCallsChain()
    {
        var (exitCode, output, error) = await SampleProcess.RunAsync("SemanticKernelInterop", [], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}\n{error}");
        Assert.Contains("offline scripted model", output, StringComparison.Ordinal);
        Assert.Contains("Kernel plugins as agent tools: Travel_get_weather, Travel_to_fahrenheit", output, StringComparison.Ordinal);
        Assert.Contains("[SK filter] Travel.get_weather(city=上海)", output, StringComparison.Ordinal);
        Assert.Contains("agent tool call: Travel_get_weather -> Succeeded: 上海今天晴，气温 25°C。", output, StringComparison.Ordinal);
        Assert.Contains("Agent answer (Completed): (scripted) The weather tool says: 上海今天晴，气温 25°C。", output, StringComparison.Ordinal);
        Assert.Contains("Chains chain as SK function Chains.packing_tip(city: string, days: integer)", output, StringComparison.Ordinal);
        Assert.Contains("[SK filter] Chains.packing_tip(city=上海, days=3)", output, StringComparison.Ordinal);
        Assert.Contains("kernel.InvokeAsync(\"Chains\", \"packing_tip\") -> (scripted) 打包建议：3 天的 上海 之行", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_QuestionArgument_AgentAsksForThatCity()
    {
        var (exitCode, output, _) = await SampleProcess.RunAsync("SemanticKernelInterop", ["What's the weather in Paris?"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        Assert.Contains("> What's the weather in Paris?", output, StringComparison.Ordinal);
        Assert.Contains("[SK filter] Travel.get_weather(city=Paris)", output, StringComparison.Ordinal);
        Assert.Contains("Succeeded: Paris: light rain, 14°C.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_EndpointNotAUrl_ExplainsAndExits2()
    {
        var (exitCode, _, error) = await SampleProcess.RunAsync("SemanticKernelInterop", [], new Dictionary<string, string?> { ["CHAINS_OPENAI_ENDPOINT"] = "not a url", ["CHAINS_OPENAI_MODEL"] = "m" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Contains("'not a url'", error, StringComparison.Ordinal);
    }
}
