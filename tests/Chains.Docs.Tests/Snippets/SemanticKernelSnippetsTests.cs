using Chains.Agents;
using Chains.Docs.Snippets;
using Chains.Docs.Tests.Fakes;
using Chains.Indexes;
using Chains.Indexes.Retrievers;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Tests.Snippets;

public sealed class SemanticKernelSnippetsTests
{
    [Fact]
    public async Task PluginAsTools_AgentCallsTheKernelFunctionAndAnswersWithItsResult()
    {
        var model = new TestChatClient((messages, options) =>
        {
            Assert.Equal(["Weather_get_weather"], options!.Tools!.Select(t => t.Name));
            var result = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().FirstOrDefault();
            return result is null
                ? TestChatClient.CallTools(new FunctionCallContent("c1", "Weather_get_weather", new Dictionary<string, object?> { ["city"] = "上海" }))
                : TestChatClient.Reply($"上海今天{result.Result}。");
        });

        var result = await SemanticKernelSnippets.PluginAsToolsAsync(model);

        Assert.Equal(AgentStopReason.Completed, result.StopReason);
        Assert.Equal(AgentToolCallStatus.Succeeded, Assert.Single(result.Steps[0].ToolCalls).Status);
        Assert.Equal("上海今天晴，25°C。", result.Text);
    }

    [Fact]
    public async Task ChainAsFunction_KernelRunsTheChainWithTypedArgumentsAndTheRetrieverTool()
    {
        var index = new Bm25Index();
        index.Upsert([new Document("returns", "退货政策：收货后 30 天内可以退货。", source: "manual.md"), new Document("shipping", "发货：下单后两天内发货。", source: "manual.md")]);

        var (tip, found) = await SemanticKernelSnippets.ChainAsFunctionAsync(TestChatClient.Echo(), new Bm25Retriever(index, top: 1));

        Assert.Equal("One packing tip for 3 days in 上海.", tip);
        Assert.Equal("[1] manual.md (returns)\n退货政策：收货后 30 天内可以退货。", found);
    }

    [Fact]
    public async Task ChatService_ChainRunsOnTheServiceMadeFromTheClient()
    {
        var answer = await SemanticKernelSnippets.ChatServiceAsync(TestChatClient.Echo());

        Assert.Equal("用一句话解释：语义内核", answer);
    }
}
