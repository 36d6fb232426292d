using System.Runtime.CompilerServices;
using Chains.Prompts;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Models;

public sealed class ChatModelRunnableTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_Messages_SendsThemAndReturnsTheResponse()
    {
        var client = FakeChatClient.Replying("hi there");
        List<ChatMessage> messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hello")];

        var response = await client.AsRunnable().InvokeAsync(messages, cancellationToken: Ct);

        Assert.Equal("hi there", response.Text);
        Assert.Equal(["Be brief.", "Hello"], client.LastMessages!.Select(m => m.Text));
        Assert.Equal([ChatRole.System, ChatRole.User], client.LastMessages!.Select(m => m.Role));
        Assert.Equal(1, client.Calls);
    }

    [Fact]
    public async Task InvokeAsync_Text_SendsOneUserMessage()
    {
        var client = new FakeChatClient();

        var response = await client.AsRunnable().InvokeAsync("echo me", cancellationToken: Ct);

        var message = Assert.Single(client.LastMessages!);
        Assert.Equal(ChatRole.User, message.Role);
        Assert.Equal("echo me", message.Text);
        Assert.Equal("echo me", response.Text);
    }

    [Fact]
    public async Task InvokeAsync_PromptValue_SendsItsMessages()
    {
        var client = new FakeChatClient();
        var prompt = PromptValue.FromMessages([new ChatMessage(ChatRole.User, "one"), new ChatMessage(ChatRole.Assistant, "two"), new ChatMessage(ChatRole.User, "three")]);

        var response = await client.AsRunnable().InvokeAsync(prompt, cancellationToken: Ct);

        Assert.Equal(["one", "two", "three"], client.LastMessages!.Select(m => m.Text));
        Assert.Equal("three", response.Text);
    }

    [Fact]
    public async Task InvokeAsync_Options_PassedThroughToTheClient()
    {
        var client = FakeChatClient.Replying("ok");
        var options = new ChatOptions { ModelId = "small", Temperature = 0.1f };
        CancellationToken seen = default;
        client.GetResponseAsyncCallback = (_, _, ct) =>
        {
            seen = ct;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        };

        await client.AsRunnable(options).InvokeAsync("q", cancellationToken: Ct);

        Assert.Same(options, client.LastOptions);
        Assert.Equal(Ct, seen);
    }

    [Fact]
    public async Task StreamAsync_StreamingClient_YieldsOneResponsePerUpdate()
    {
        var client = FakeChatClient.Streaming("Hel", "lo", "!");
        var options = new ChatOptions { MaxOutputTokens = 10 };

        var chunks = await client.AsRunnable(options).StreamAsync("greet", cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(["Hel", "lo", "!"], chunks.Select(c => c.Text));
        Assert.All(chunks, c => Assert.Equal("fake-model", c.ModelId));
        Assert.All(chunks, c => Assert.IsType<ChatResponseUpdate>(c.RawRepresentation));
        Assert.All(chunks, c => Assert.Equal(ChatRole.Assistant, Assert.Single(c.Messages).Role));
        Assert.Same(options, client.LastOptions);
        Assert.Equal("greet", Assert.Single(client.LastMessages!).Text);
    }

    [Fact]
    public async Task StreamAsync_Chunks_RoundTripToTheUpdates()
    {
        var update = new ChatResponseUpdate(ChatRole.Assistant, "x") { MessageId = "m7", ResponseId = "r1", FinishReason = ChatFinishReason.Length, ModelId = "mm" };
        var client = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, _) => new[] { update }.ToAsyncEnumerable() };

        var chunk = Assert.Single(await client.AsRunnable().StreamAsync("q", cancellationToken: Ct).ToListAsync(Ct));

        var back = Assert.Single(chunk.ToChatResponseUpdates());
        Assert.Equal("x", back.Text);
        Assert.Equal("m7", back.MessageId);
        Assert.Equal("r1", back.ResponseId);
        Assert.Equal(ChatFinishReason.Length, back.FinishReason);
    }

    [Fact]
    public async Task StreamAsync_ClientIgnoresCancellation_StopsAtNextUpdate()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var client = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, _) => Endless() };
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var chunk in client.AsRunnable().StreamAsync("q", cancellationToken: cts.Token))
            {
                if (++received == 2)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.Equal(2, received);

        static async IAsyncEnumerable<ChatResponseUpdate> Endless()
        {
            while (true)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, ".");
            }
        }
    }

    [Fact]
    public async Task InvokeAsync_WithSink_ReportsChatModelStepWithPromptAndResponse()
    {
        var sink = new CollectingSink();
        var client = FakeChatClient.Replying("fine");

        await client.AsRunnable().InvokeAsync("how are you", new RunOptions { EventSink = sink }, Ct);

        var start = sink.Events.OfType<RunStartedEvent>().Single();
        Assert.Equal("fake-model", start.Name);
        Assert.Equal(StepKinds.ChatModel, start.Info.StepKind);
        Assert.Equal("how are you", Assert.IsType<PromptValue>(start.Input).ToString());
        Assert.Equal("fine", Assert.IsType<ChatResponse>(sink.Events.OfType<RunCompletedEvent>().Single().Output).Text);
    }

    [Fact]
    public void Name_ModelIdFromOptionsThenMetadata()
    {
        var client = new FakeChatClient();

        Assert.Equal("fake-model", client.AsRunnable().Name);
        Assert.Equal("big", client.AsRunnable(new ChatOptions { ModelId = "big" }).Name);
        client.Metadata = new ChatClientMetadata("fake");
        Assert.Equal("ChatModel", client.AsRunnable().Name);
    }

    [Fact]
    public async Task InvokeAsync_NullArguments_ThrowArgumentNull()
    {
        Assert.Throws<ArgumentNullException>("client", () => ((IChatClient)null!).AsRunnable());
        await Assert.ThrowsAsync<ArgumentNullException>("input", async () => await new FakeChatClient().AsRunnable().InvokeAsync(null!, cancellationToken: Ct));
    }

    [Fact]
    public async Task InvokeAsync_ClientFails_PropagatesTheException()
    {
        var client = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(new HttpRequestException("503")) };

        var thrown = await Assert.ThrowsAsync<HttpRequestException>(async () => await client.AsRunnable().InvokeAsync("q", cancellationToken: Ct));

        Assert.Equal("503", thrown.Message);
    }
}
