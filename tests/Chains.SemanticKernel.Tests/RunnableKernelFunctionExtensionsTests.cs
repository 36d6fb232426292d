using System.ComponentModel;
using Chains.Agents;
using Chains.Runnables;
using Chains.SemanticKernel.Tests.Fakes;
using Microsoft.SemanticKernel;

namespace Chains.SemanticKernel.Tests;

public sealed class RunnableKernelFunctionExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record TripRequest([property: Description("The destination city.")] string City, [property: Description("How many days.")] int Days);

    public sealed record TripPlan(string City, IReadOnlyList<string> Days);

    private static Runnable<TripRequest, TripPlan> Planner()
        => Runnable.Lambda((TripRequest r) => new TripPlan(r.City, [.. Enumerable.Range(1, r.Days).Select(d => $"第{d}天：{r.City}")]), "planner");

    [Fact]
    public void AsKernelFunction_RecordInput_PropertiesBecomeTypedParameters()
    {
        var function = Planner().AsKernelFunction("plan_trip", "Plans a trip day by day.");

        Assert.Equal("plan_trip", function.Name);
        Assert.Equal("Plans a trip day by day.", function.Description);
        Assert.Equal(["city", "days"], function.Metadata.Parameters.Select(p => p.Name));
        Assert.All(function.Metadata.Parameters, p => Assert.True(p.IsRequired));
        var days = function.Metadata.Parameters.Single(p => p.Name == "days");
        Assert.Equal("integer", days.Schema!.RootElement.GetProperty("type").GetString());
        Assert.Equal("How many days.", days.Description);
        Assert.Equal("object", function.Metadata.ReturnParameter.Schema!.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task KernelInvokeAsync_RecordInput_RunsTheStepWithTypedArguments()
    {
        var kernel = Kernel.CreateBuilder().Build();
        var function = Planner().AsKernelFunction("plan_trip", "Plans a trip day by day.");

        var result = await kernel.InvokeAsync(function, new KernelArguments { ["city"] = "杭州", ["days"] = 2 }, Ct);

        var plan = result.GetValue<TripPlan>()!;
        Assert.Equal("杭州", plan.City);
        Assert.Equal(["第1天：杭州", "第2天：杭州"], plan.Days);
    }

    [Fact]
    public async Task KernelInvokeAsync_NumberGivenAsText_IsRead()
    {
        var kernel = Kernel.CreateBuilder().Build();
        var function = Planner().AsKernelFunction("plan_trip", "Plans a trip day by day.");

        var result = await kernel.InvokeAsync(function, new KernelArguments { ["city"] = "Lyon", ["days"] = "3" }, Ct);

        Assert.Equal(3, result.GetValue<TripPlan>()!.Days.Count);
    }

    [Fact]
    public async Task KernelInvokeAsync_StringStep_ChineseRoundTripsThroughPluginAndFilter()
    {
        var greet = Runnable.Lambda((string name) => $"你好，{name}！欢迎来到成都。");
        var kernel = Kernel.CreateBuilder().Build();
        var filter = new RecordingFilter();
        kernel.FunctionInvocationFilters.Add(filter);
        kernel.Plugins.Add(KernelPluginFactory.CreateFromFunctions("Chains", [greet.AsKernelFunction("greet", "Greets a visitor.")]));

        var text = await kernel.InvokeAsync<string>("Chains", "greet", new KernelArguments { ["input"] = "张伟" }, Ct);

        Assert.Equal("你好，张伟！欢迎来到成都。", text);
        Assert.Equal(["Chains.greet"], filter.Invoked);
        var input = Assert.Single(kernel.Plugins.GetFunction("Chains", "greet").Metadata.Parameters);
        Assert.Equal("input", input.Name);
        Assert.Equal("string", kernel.Plugins.GetFunction("Chains", "greet").Metadata.ReturnParameter.Schema!.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task KernelInvokeAsync_MissingInput_ThrowsNamingTheArgumentAndStepDoesNotRun()
    {
        var runs = 0;
        var step = Runnable.Lambda((string s) => { runs++; return s; });
        var kernel = Kernel.CreateBuilder().Build();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => kernel.InvokeAsync(step.AsKernelFunction("echo", "Echoes."), new KernelArguments(), Ct));

        Assert.Contains("'input'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, runs);
    }

    [Fact]
    public async Task KernelInvokeAsync_StepThrows_ExceptionReachesTheCaller()
    {
        var step = Runnable.Lambda<string, string>(s => throw new InvalidOperationException($"cannot translate '{s}'"));
        var kernel = Kernel.CreateBuilder().Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => kernel.InvokeAsync(step.AsKernelFunction("translate", "Translates."), new KernelArguments { ["input"] = "你好" }, Ct));

        Assert.Equal("cannot translate '你好'", error.Message);
    }

    [Fact]
    public async Task KernelInvokeAsync_AgentStep_ReturnsTheAnswerText()
    {
        var agent = new AgentExecutor(Chains.Tests.Fakes.FakeChatClient.Replying("北京到上海坐高铁约四个半小时。"));
        var kernel = Kernel.CreateBuilder().Build();

        var text = await kernel.InvokeAsync<string>(agent.AsKernelFunction("ask_agent", "Asks the travel agent."), new KernelArguments { ["input"] = "高铁要多久？" }, Ct);

        Assert.Equal("北京到上海坐高铁约四个半小时。", text);
    }

    [Fact]
    public void AsKernelFunction_InvalidArguments_ThrowNamingTheBadValue()
    {
        var step = Runnable.Lambda((string s) => s);

        Assert.Equal("step", Assert.Throws<ArgumentNullException>(() => ((Runnable<string, string>)null!).AsKernelFunction("f", "d")).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => step.AsKernelFunction(null!, "d")).ParamName);
        Assert.Equal("description", Assert.Throws<ArgumentNullException>(() => step.AsKernelFunction("f", null!)).ParamName);
        var error = Assert.Throws<ArgumentException>(() => step.AsKernelFunction("plan trip", "d"));
        Assert.Equal("name", error.ParamName);
        Assert.Contains("'plan trip'", error.Message, StringComparison.Ordinal);
    }
}
