using Chains.Agents;
using Chains.SemanticKernel.Tests.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Chains.SemanticKernel.Tests;

public sealed class KernelToolExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (Kernel Kernel, TravelPlugin Plugin, RecordingFilter Filter) NewKernel()
    {
        var plugin = new TravelPlugin();
        var builder = Kernel.CreateBuilder();
        builder.Plugins.AddFromObject(plugin, "Travel");
        var kernel = builder.Build();
        var filter = new RecordingFilter();
        kernel.FunctionInvocationFilters.Add(filter);
        return (kernel, plugin, filter);
    }

    [Fact]
    public void AsTools_Kernel_OneToolPerFunctionWithQualifiedNamesAndSchemas()
    {
        var (kernel, _, _) = NewKernel();

        var tools = kernel.AsTools();

        Assert.Equal(["Travel_book_hotel", "Travel_get_weather", "Travel_to_fahrenheit"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var weather = Assert.IsAssignableFrom<AIFunction>(tools.Single(t => t.Name == "Travel_get_weather"));
        Assert.Equal("Gets today's weather of a city.", weather.Description);
        var city = weather.JsonSchema.GetProperty("properties").GetProperty("city");
        Assert.Equal("string", city.GetProperty("type").GetString());
        Assert.Equal("The city, e.g. 上海 or Paris.", city.GetProperty("description").GetString());
        Assert.Equal(["city"], weather.JsonSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task AgentExecutor_ModelCallsKernelFunction_RunsThroughKernelAndResultReachesModel()
    {
        var (kernel, plugin, filter) = NewKernel();
        var model = Scripts.CallThenEcho(Scripts.Call("c1", "Travel_get_weather", new { city = "上海" }));
        var agent = new AgentExecutor(model, kernel.AsTools());

        var result = await agent.InvokeAsync("上海今天天气怎么样？", cancellationToken: Ct);

        Assert.True(result.IsCompleted);
        Assert.Equal("tools said: 上海今天晴，气温 25°C。", result.Text);
        var call = Assert.Single(Assert.Single(result.Steps, s => s.ToolCalls.Count > 0).ToolCalls);
        Assert.Equal(AgentToolCallStatus.Succeeded, call.Status);
        Assert.Equal(["get_weather(上海)"], plugin.Calls);
        Assert.Equal(["Travel.get_weather"], filter.Invoked);
        Assert.Equal(2, model.Calls);
    }

    [Fact]
    public async Task AgentExecutor_NumericArgument_ConvertedToTheMethodsParameterType()
    {
        var (kernel, plugin, _) = NewKernel();
        var model = Scripts.CallThenEcho(Scripts.Call("c1", "Travel_to_fahrenheit", new { celsius = 25.0 }));
        var agent = new AgentExecutor(model, kernel.Plugins["Travel"].AsTools(kernel));

        var result = await agent.InvokeAsync("25°C in Fahrenheit?", cancellationToken: Ct);

        Assert.Equal("tools said: 77", result.Text);
        Assert.Equal(["to_fahrenheit(25)"], plugin.Calls);
    }

    [Fact]
    public async Task AgentExecutor_KernelFunctionThrows_ModelGetsErrorResultAndRunCompletes()
    {
        var (kernel, plugin, _) = NewKernel();
        var model = Scripts.CallThenEcho(Scripts.Call("c1", "Travel_book_hotel", new { city = "北京" }));
        var agent = new AgentExecutor(model, kernel.AsTools(), new AgentExecutorOptions { IncludeErrorDetails = true });

        var result = await agent.InvokeAsync("帮我订北京的酒店", cancellationToken: Ct);

        Assert.True(result.IsCompleted);
        var call = Assert.Single(result.Steps[0].ToolCalls);
        Assert.Equal(AgentToolCallStatus.Failed, call.Status);
        Assert.IsType<InvalidOperationException>(call.Error);
        Assert.Equal("tools said: Error: 'Travel_book_hotel' failed: InvalidOperationException: No rooms left in 北京.", result.Text);
        Assert.Equal(["book_hotel(北京)"], plugin.Calls);
    }

    [Fact]
    public async Task AgentExecutor_ModelUsesUnqualifiedOrDashedName_UnknownToolAndNothingRuns()
    {
        var (kernel, plugin, filter) = NewKernel();
        var model = Scripts.CallThenEcho(
            Scripts.Call("c1", "get_weather", new { city = "Paris" }),
            Scripts.Call("c2", "Travel-get_weather", new { city = "Paris" }));
        var agent = new AgentExecutor(model, kernel.AsTools());

        var result = await agent.InvokeAsync("Weather in Paris?", cancellationToken: Ct);

        Assert.All(result.Steps[0].ToolCalls, c => Assert.Equal(AgentToolCallStatus.UnknownTool, c.Status));
        Assert.Empty(plugin.Calls);
        Assert.Empty(filter.Invoked);
    }

    [Fact]
    public async Task AgentExecutor_MissingRequiredArgument_ToolDoesNotRun()
    {
        var (kernel, plugin, _) = NewKernel();
        var model = Scripts.CallThenEcho(Scripts.Call("c1", "Travel_get_weather", new { town = "Paris" }));
        var agent = new AgentExecutor(model, kernel.AsTools());

        var result = await agent.InvokeAsync("Weather?", cancellationToken: Ct);

        var call = Assert.Single(result.Steps[0].ToolCalls);
        Assert.Equal(AgentToolCallStatus.InvalidArguments, call.Status);
        Assert.Contains("city", Assert.IsType<string>(call.Result!.Result), StringComparison.Ordinal);
        Assert.Empty(plugin.Calls);
    }

    [Fact]
    public async Task AsTool_SingleFunction_InvokedDirectlyReturnsJson()
    {
        var (kernel, plugin, filter) = NewKernel();

        var tool = kernel.Plugins.GetFunction("Travel", "get_weather").AsTool(kernel);
        var result = await tool.InvokeAsync(new AIFunctionArguments { ["city"] = "Paris" }, Ct);

        Assert.Equal("Travel_get_weather", tool.Name);
        Assert.Equal("Paris: light rain, 14°C.", result);
        Assert.Equal(["get_weather(Paris)"], plugin.Calls);
        Assert.Equal(["Travel.get_weather"], filter.Invoked);
    }

    [Fact]
    public void AsTools_InvalidArguments_ThrowNamingTheArgument()
    {
        var (kernel, _, _) = NewKernel();
        var function = kernel.Plugins.GetFunction("Travel", "get_weather");

        Assert.Equal("kernel", Assert.Throws<ArgumentNullException>(() => ((Kernel)null!).AsTools()).ParamName);
        Assert.Equal("kernel", Assert.Throws<ArgumentNullException>(() => kernel.Plugins["Travel"].AsTools(null!)).ParamName);
        Assert.Equal("plugin", Assert.Throws<ArgumentNullException>(() => ((KernelPlugin)null!).AsTools(kernel)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => ((KernelFunction)null!).AsTool(kernel)).ParamName);
        Assert.Equal("kernel", Assert.Throws<ArgumentNullException>(() => function.AsTool(null!)).ParamName);
    }

    [Fact]
    public void AsTools_KernelWithoutPlugins_ThrowsSayingHowToAddThem()
    {
        var error = Assert.Throws<ArgumentException>(() => Kernel.CreateBuilder().Build().AsTools());

        Assert.Equal("kernel", error.ParamName);
        Assert.Contains("AddFromType", error.Message, StringComparison.Ordinal);
    }
}
