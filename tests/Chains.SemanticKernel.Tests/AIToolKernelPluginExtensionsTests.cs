using Chains.Agents;
using Chains.Runnables;
using Chains.SemanticKernel.Tests.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Chains.SemanticKernel.Tests;

public sealed class AIToolKernelPluginExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AIFunction Upper() => Runnable.Lambda((string s) => s.ToUpperInvariant()).AsTool("upper", "Upper-cases text.");

    private static AIFunction Count() => Runnable.Lambda((string s) => s.Length).AsTool("count", "Counts characters.");

    [Fact]
    public async Task AsKernelPlugin_ChainsTools_KernelInvokesEach()
    {
        var kernel = Kernel.CreateBuilder().Build();
        kernel.Plugins.Add(new AITool[] { Upper(), Count() }.AsKernelPlugin("Text", "Text utilities."));

        var upper = await kernel.InvokeAsync<string>("Text", "upper", new KernelArguments { ["input"] = "chains ❤ 语义内核" }, Ct);
        var count = await kernel.InvokeAsync<int>("Text", "count", new KernelArguments { ["input"] = "语义内核" }, Ct);

        Assert.Equal("CHAINS ❤ 语义内核", upper);
        Assert.Equal(4, count);
        Assert.Equal("Text utilities.", kernel.Plugins["Text"].Description);
    }

    [Fact]
    public async Task AsKernelPlugin_BackAsAgentTools_RoundTripsThroughKernelAndAgent()
    {
        var kernel = Kernel.CreateBuilder().Build();
        kernel.Plugins.Add(new AITool[] { Upper() }.AsKernelPlugin("Text"));
        var model = Scripts.CallThenEcho(Scripts.Call("c1", "Text_upper", new { input = "hello 世界" }));

        var result = await new AgentExecutor(model, kernel.AsTools()).InvokeAsync("shout it", cancellationToken: Ct);

        Assert.Equal("tools said: HELLO 世界", result.Text);
    }

    [Fact]
    public void AsKernelPlugin_BadPluginName_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new AITool[] { Upper() }.AsKernelPlugin("text-tools"));

        Assert.Equal("pluginName", error.ParamName);
        Assert.Contains("'text-tools'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AsKernelPlugin_HostedTool_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new AITool[] { Upper(), new HostedWebSearchTool() }.AsKernelPlugin("Text"));

        Assert.Equal("tools", error.ParamName);
        Assert.Contains("web_search", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AsKernelPlugin_DuplicateNames_ThrowsNamingTheTool()
    {
        var error = Assert.Throws<ArgumentException>(() => new AITool[] { Upper(), Runnable.Lambda((string s) => s).AsTool("UPPER", "Another.") }.AsKernelPlugin("Text"));

        Assert.Contains("'UPPER'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AsKernelPlugin_Nulls_ThrowArgumentNull()
    {
        Assert.Equal("tools", Assert.Throws<ArgumentNullException>(() => ((IEnumerable<AITool>)null!).AsKernelPlugin("Text")).ParamName);
        Assert.Equal("pluginName", Assert.Throws<ArgumentNullException>(() => new AITool[] { Upper() }.AsKernelPlugin(null!)).ParamName);
        Assert.Equal("tools", Assert.Throws<ArgumentNullException>(() => new AITool[] { null! }.AsKernelPlugin("Text")).ParamName);
    }
}
