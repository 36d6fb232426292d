using System.Runtime.CompilerServices;
using Chains.Memory;
using Chains.Parsing;
using Chains.Prompts;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Memory;

public sealed class ChatHistoryRunnableExtensionsTests
{
    private readonly InMemoryChatHistoryStore _store = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_FirstTurn_StoresTheMessageAndTheReply()
    {
        var model = FakeChatClient.Replying("hello!");

        var response = await model.AsRunnable().WithHistory(_store, "s1").InvokeAsync("hi", cancellationToken: Ct);

        Assert.Equal("hello!", response.Text);
        var history = await _store.LoadAsync("s1", Ct);
        Assert.Equal([(ChatRole.User, "hi"), (ChatRole.Assistant, "hello!")], history.Select(m => (m.Role, m.Text)));
    }

    [Fact]
    public async Task InvokeAsync_LaterTurn_SendsInstructionsThenHistoryThenTheNewMessage()
    {
        await _store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "my name is Ann"), new ChatMessage(ChatRole.Assistant, "hi Ann")], Ct);
        var model = FakeChatClient.Replying("Ann");
        var chain = model.AsRunnable().WithHistory(_store, "s1");

        await chain.InvokeAsync(new[] { new ChatMessage(ChatRole.System, "be brief"), new ChatMessage(ChatRole.User, "my name?") }, cancellationToken: Ct);

        Assert.Equal(["be brief", "my name is Ann", "hi Ann", "my name?"], model.LastMessages!.Select(m => m.Text));
        var history = await _store.LoadAsync("s1", Ct);
        Assert.Equal(["my name is Ann", "hi Ann", "my name?", "Ann"], history.Select(m => m.Text));
    }

    [Fact]
    public async Task InvokeAsync_PromptTemplateBefore_StoresOnlyTheUserMessage()
    {
        var template = new ChatPromptTemplate<Ask>(ChatMessageTemplate.System("Answer in {Language}."), ChatMessageTemplate.User("{Text}"));
        var model = new FakeChatClient();
        var chain = template.Pipe(model.AsRunnable().WithHistory(_store, "s1")).Pipe(new StringOutputParser());

        Assert.Equal("one", await chain.InvokeAsync(new Ask("one", "English"), cancellationToken: Ct));
        Assert.Equal("two", await chain.InvokeAsync(new Ask("two", "English"), cancellationToken: Ct));

        Assert.Equal(["Answer in English.", "one", "one", "two"], model.LastMessages!.Select(m => m.Text));
        Assert.Equal(4, (await _store.LoadAsync("s1", Ct)).Count);
    }

    [Fact]
    public async Task InvokeAsync_Reducer_SendsTheReducedPromptAndStoresEverything()
    {
        var model = new FakeChatClient();
        var chain = model.AsRunnable().WithHistory(_store, "s1", new WindowChatReducer(3));

        for (var i = 0; i < 4; i++)
        {
            await chain.InvokeAsync($"q{i}", cancellationToken: Ct);
        }

        Assert.Equal(["q2", "q2", "q3"], model.LastMessages!.Select(m => m.Text));
        Assert.Equal(8, (await _store.LoadAsync("s1", Ct)).Count);
    }

    [Fact]
    public async Task InvokeAsync_ModelFails_StoresNothing()
    {
        var model = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("down") };

        await Assert.ThrowsAsync<HttpRequestException>(() => model.AsRunnable().WithHistory(_store, "s1").InvokeAsync("hi", cancellationToken: Ct).AsTask());

        Assert.Empty(await _store.LoadAsync("s1", Ct));
    }

    [Fact]
    public async Task InvokeAsync_Cancelled_StoresNothing()
    {
        using var cts = new CancellationTokenSource();
        var model = new FakeChatClient
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                await cts.CancelAsync();
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, ct);
                return new ChatResponse();
            },
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.AsRunnable().WithHistory(_store, "s1").InvokeAsync("hi", cancellationToken: cts.Token).AsTask());

        Assert.Empty(await _store.LoadAsync("s1", Ct));
    }

    [Fact]
    public async Task InvokeAsync_ModelIgnoresCancellation_StoresNothing()
    {
        using var cts = new CancellationTokenSource();
        var model = new FakeChatClient
        {
            GetResponseAsyncCallback = async (_, _, _) =>
            {
                await cts.CancelAsync();
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "late"));
            },
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.AsRunnable().WithHistory(_store, "s1").InvokeAsync("hi", cancellationToken: cts.Token).AsTask());

        Assert.Empty(await _store.LoadAsync("s1", Ct));
    }

    [Fact]
    public async Task InvokeAsync_ToolCallsInTheReply_StoresThemInOrder()
    {
        var model = new FakeChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(
            [
                new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
                new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "sunny")]),
                new ChatMessage(ChatRole.Assistant, "It is sunny."),
            ])),
        };

        await model.AsRunnable().WithHistory(_store, "s1").InvokeAsync("weather?", cancellationToken: Ct);

        var history = await _store.LoadAsync("s1", Ct);
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], history.Select(m => m.Role));
        Assert.Equal("c1", Assert.IsType<FunctionResultContent>(history[2].Contents[0]).CallId);
    }

    [Fact]
    public async Task InvokeAsync_ObserverFails_StoresNothing()
    {
        var model = FakeChatClient.Replying("ok");
        var reducer = new FailingObserver();

        await Assert.ThrowsAsync<InvalidOperationException>(() => model.AsRunnable().WithHistory(_store, "s1", reducer).InvokeAsync("hi", cancellationToken: Ct).AsTask());

        Assert.Empty(await _store.LoadAsync("s1", Ct));
    }

    [Fact]
    public async Task InvokeAsync_ReducerThrows_NeitherCallsTheModelNorStores()
    {
        var model = FakeChatClient.Replying("ok");
        var reducer = new TokenBudgetChatReducer(TokenCounter.Create(text => text.Length), 5);

        await Assert.ThrowsAsync<TokenBudgetExceededException>(() => model.AsRunnable().WithHistory(_store, "s1", reducer).InvokeAsync("a long question", cancellationToken: Ct).AsTask());

        Assert.Equal(0, model.Calls);
        Assert.Empty(await _store.LoadAsync("s1", Ct));
    }

    [Fact]
    public async Task StreamAsync_Completes_PassesChunksThroughAndStoresTheWholeReply()
    {
        var model = FakeChatClient.Streaming("Hel", "lo", "!");

        var chunks = await model.AsRunnable().WithHistory(_store, "s1").StreamAsync("hi", cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(["Hel", "lo", "!"], chunks.Select(c => c.Text));
        Assert.Equal(["hi", "Hello!"], (await _store.LoadAsync("s1", Ct)).Select(m => m.Text));
    }

    [Fact]
    public async Task StreamAsync_ConsumerStopsEarly_StoresNothing()
    {
        var model = FakeChatClient.Streaming("Hel", "lo", "!");

        await foreach (var chunk in model.AsRunnable().WithHistory(_store, "s1").StreamAsync("hi", cancellationToken: Ct))
        {
            Assert.Equal("Hel", chunk.Text);
            break;
        }

        Assert.Empty(await _store.LoadAsync("s1", Ct));
    }

    [Fact]
    public async Task StreamAsync_FailsMidStream_StoresNothing()
    {
        var model = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => FailAfterOne(ct) };

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var unused in model.AsRunnable().WithHistory(_store, "s1").StreamAsync("hi", cancellationToken: Ct))
            {
                _ = unused;
            }
        });

        Assert.Empty(await _store.LoadAsync("s1", Ct));
    }

    [Fact]
    public async Task InvokeAsync_SessionSelector_KeepsEachInputsSession()
    {
        var model = new FakeChatClient();
        var chain = model.AsRunnable().WithHistory<Message>(_store, m => m.SessionId, m => m.Text);

        await chain.InvokeAsync(new Message("ann", "I am Ann"), cancellationToken: Ct);
        await chain.InvokeAsync(new Message("bob", "I am Bob"), cancellationToken: Ct);
        await chain.InvokeAsync(new Message("ann", "who am I?"), cancellationToken: Ct);

        Assert.Equal(["I am Ann", "I am Ann", "who am I?"], model.LastMessages!.Select(m => m.Text));
        Assert.Equal(2, (await _store.LoadAsync("bob", Ct)).Count);
        Assert.Equal(4, (await _store.LoadAsync("ann", Ct)).Count);
    }

    [Fact]
    public async Task InvokeAsync_SelectorReturnsEmptySession_Throws()
    {
        var chain = new FakeChatClient().AsRunnable().WithHistory<Message>(_store, m => m.SessionId, m => m.Text);

        await Assert.ThrowsAsync<ArgumentException>(() => chain.InvokeAsync(new Message(" ", "x"), cancellationToken: Ct).AsTask());
    }

    [Fact]
    public async Task InvokeAsync_Observed_ReportsTheModelStepAsAChild()
    {
        var sink = new CollectingSink();

        await FakeChatClient.Replying("ok").AsRunnable().WithHistory(_store, "s1").InvokeAsync("hi", new RunOptions { EventSink = sink }, Ct);

        var starts = sink.Events.OfType<RunStartedEvent>().ToList();
        Assert.Equal(["WithHistory", "fake-model"], starts.Select(e => e.Name));
        Assert.Equal(starts[0].RunId, starts[1].ParentRunId);
    }

    [Fact]
    public void WithHistory_InvalidArguments_Throw()
    {
        var model = new FakeChatClient().AsRunnable();

        Assert.Throws<ArgumentNullException>(() => ChatHistoryRunnableExtensions.WithHistory(null!, _store, "s"));
        Assert.Throws<ArgumentNullException>(() => model.WithHistory(null!, "s"));
        Assert.Throws<ArgumentException>(() => model.WithHistory(_store, " "));
        Assert.Throws<ArgumentNullException>(() => model.WithHistory<Message>(_store, null!, m => m.Text));
        Assert.Throws<ArgumentNullException>(() => model.WithHistory<Message>(_store, m => m.SessionId, null!));
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> FailAfterOne([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "partial");
        cancellationToken.ThrowIfCancellationRequested();
        throw new IOException("connection reset");
    }

    public sealed record Ask(string Text, string Language);

    public sealed record Message(string SessionId, string Text);

    private sealed class FailingObserver : IChatReducer, IChatTurnObserver
    {
        public Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
            => Task.FromResult(messages);

        public Task OnTurnCompletedAsync(ChatTurn turn, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("vector store down");
    }
}
