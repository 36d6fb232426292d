using Chains.LLamaSharp.Tests.Support;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Tests;

public sealed class LlamaTokenCounterTests
{
    [Fact]
    public async Task CountTokens_MessagesAndTools_AddUpToThePromptTheChatClientSends()
    {
        using var model = TestModels.Load(TestModels.Options(contextSize: 1024));
        var counter = model.AsTokenCounter();
        var tool = new SchemaFunction("lookup", """{"type":"object","properties":{"q":{"type":"string"}}}""", _ => null);
        List<ChatMessage> messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "你好 hello"), new(ChatRole.Assistant, "hi"), new(ChatRole.User, "more")];

        var counted = messages.Sum(counter.CountTokens) + counter.CountTokens([tool]);
        var response = await model.AsChatClient().GetResponseAsync(messages, new ChatOptions { Tools = [tool], MaxOutputTokens = 1 }, TestContext.Current.CancellationToken);

        // The prompt adds the opening of the assistant turn: "<|im_start|>" + "assistant" (9 letters) + "\n".
        Assert.Equal(response.Usage!.InputTokenCount, counted + 11);
        Assert.Equal(5 + 6 + 1, counter.CountTokens("hello 你好"));
        Assert.Equal(0, counter.CountTokens(Array.Empty<AITool>()));
        Assert.Throws<ArgumentNullException>(() => counter.CountTokens((string)null!));
    }
}
