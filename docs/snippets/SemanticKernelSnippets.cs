// The code of docs/concepts/semantic-kernel.md, compiled and run by tests/Chains.Docs.Tests.
using System.ComponentModel;
using Chains.Agents;
using Chains.Indexes;
using Chains.Parsing;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Chains.Docs.Snippets;

// <snippet:sk-types>
public sealed class WeatherPlugin
{
    [KernelFunction("get_weather")]
    [Description("Gets today's weather of a city.")]
    public static string GetWeather([Description("The city.")] string city)
        => city == "上海" ? "晴，25°C" : $"no forecast for {city}";
}

public sealed record PackingRequest(string City, int Days);
// </snippet:sk-types>

/// <summary>The Semantic Kernel page: plugins as agent tools, chains and tools as kernel functions, chat services.</summary>
public static class SemanticKernelSnippets
{
    /// <summary>A kernel's plugins as the tools of a Chains agent.</summary>
    public static async Task<AgentResult> PluginAsToolsAsync(IChatClient client)
    {
        // <snippet:sk-plugin-as-tools>
        var builder = Kernel.CreateBuilder();
        builder.Plugins.AddFromType<WeatherPlugin>("Weather");
        Kernel kernel = builder.Build();

        // One tool per function, named PluginName_FunctionName ("Weather_get_weather"). A call runs through the
        // kernel, so its function invocation filters, logging and telemetry apply.
        IReadOnlyList<AITool> tools = kernel.AsTools();

        var agent = new AgentExecutor(client, tools);
        AgentResult result = await agent.InvokeAsync("上海今天天气怎么样？");
        // </snippet:sk-plugin-as-tools>
        return result;
    }

    /// <summary>A chain and a retriever tool as kernel functions.</summary>
    public static async Task<(string? Tip, string? Found)> ChainAsFunctionAsync(IChatClient client, Retriever retriever)
    {
        var kernel = Kernel.CreateBuilder().Build();

        // <snippet:sk-chain-as-function>
        Runnable<PackingRequest, string> chain = new ChatPromptTemplate<PackingRequest>(
                ChatMessageTemplate.User("One packing tip for {Days} days in {City}."))
            .Pipe(client.AsRunnable())
            .Pipe(new StringOutputParser());

        // The record's properties become the function's parameters: city (string), days (integer).
        KernelFunction packingTip = chain.AsKernelFunction("packing_tip", "Suggests what to pack for a trip.");
        kernel.Plugins.Add(KernelPluginFactory.CreateFromFunctions("Trips", [packingTip]));

        string? tip = await kernel.InvokeAsync<string>("Trips", "packing_tip", new() { ["city"] = "上海", ["days"] = 3 });

        // Any set of Chains tools (steps, retrievers, MCP tools) as one plugin.
        kernel.Plugins.Add(new AITool[] { retriever.AsTool("search", "Searches the manuals.") }.AsKernelPlugin("Docs"));
        string? found = await kernel.InvokeAsync<string>("Docs", "search", new() { ["query"] = "退货" });
        // </snippet:sk-chain-as-function>
        return (tip, found);
    }

    /// <summary>SK chat services and M.E.AI chat clients, each as the other.</summary>
    public static async Task<string> ChatServiceAsync(IChatClient client)
    {
        // <snippet:sk-chat-service>
        // Any IChatClient as an SK chat service: SK's own adapter.
        IChatCompletionService service = client.AsChatCompletionService();

        // An SK chat service (any connector) as a step of a chain.
        Runnable<string, string> chain = new PromptTemplate<string>("用一句话解释：{Topic}")
            .Pipe(service.AsRunnable())
            .Pipe(new StringOutputParser());

        string answer = await chain.InvokeAsync("语义内核");
        // </snippet:sk-chat-service>
        return answer;
    }
}
