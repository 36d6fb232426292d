using Chains.Parsing;
using Chains.Prompts;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Chains.SemanticKernel.Tests;

public sealed class ChatCompletionServiceRunnableExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record Question(string Text);

    [Fact]
    public async Task AsRunnable_KernelChatService_RunsInAChainWithPromptAndParser()
    {
        var model = new FakeChatClient();
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(model.AsChatCompletionService());
        var service = builder.Build().GetRequiredService<IChatCompletionService>();
        var chain = new ChatPromptTemplate<Question>(ChatMessageTemplate.System("Answer briefly."), ChatMessageTemplate.User("问题：{Text}"))
            .Pipe(service.AsRunnable())
            .Pipe(new StringOutputParser());

        var answer = await chain.InvokeAsync(new Question("什么是语义内核？"), cancellationToken: Ct);

        Assert.Equal("问题：什么是语义内核？", answer);
        Assert.Equal([ChatRole.System, ChatRole.User], model.LastMessages!.Select(m => m.Role));
    }

    [Fact]
    public async Task AsRunnable_Streaming_YieldsTheServicesChunks()
    {
        var service = FakeChatClient.Streaming("语义", "内核", "!").AsChatCompletionService();
        var chain = service.AsRunnable().Pipe(new StringOutputParser());

        var chunks = new List<string>();
        await foreach (var chunk in chain.StreamAsync(PromptValue.FromText("hi"), cancellationToken: Ct))
        {
            chunks.Add(chunk);
        }

        Assert.Equal(["语义", "内核", "!"], chunks);
    }

    [Fact]
    public async Task AsRunnable_Options_ReachTheModel()
    {
        var model = new FakeChatClient();
        var step = model.AsChatCompletionService().AsRunnable(new ChatOptions { Temperature = 0.25f });

        await step.InvokeAsync(PromptValue.FromText("hi"), cancellationToken: Ct);

        Assert.Equal(0.25f, model.LastOptions!.Temperature);
    }

    [Fact]
    public void AsRunnable_Null_ThrowsArgumentNull()
        => Assert.Equal("service", Assert.Throws<ArgumentNullException>(() => ((IChatCompletionService)null!).AsRunnable()).ParamName);
}
