using Chains.Agents;
using Microsoft.Extensions.AI;
using static Chains.Tests.Agents.Script;

namespace Chains.Tests.Agents;

public sealed class ReActChatClientBuilderExtensionsTests
{
    [Fact]
    public async Task UseReAct_Pipeline_TurnsTextActionsIntoCalls()
    {
        var inner = Of(Text("Action: now\nAction Input: {}"));
        using var client = inner.Client.AsBuilder().UseReAct().Build();

        var response = await client.GetResponseAsync("time?", new ChatOptions { Tools = [AIFunctionFactory.Create(() => "noon", "now")] }, TestContext.Current.CancellationToken);

        Assert.NotNull(client.GetService<ReActChatClient>());
        Assert.Equal("now", response.Messages[0].Contents.OfType<FunctionCallContent>().Single().Name);
    }

    [Fact]
    public void UseReAct_NullBuilder_Throws()
        => Assert.Throws<ArgumentNullException>(() => ReActChatClientBuilderExtensions.UseReAct(null!));
}
