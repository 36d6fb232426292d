using System.Runtime.CompilerServices;
using System.Text.Json;
using Chains.Memory;
using Microsoft.Extensions.AI;

namespace Chains.Testing.Memory;

/// <summary>
/// The contract every <see cref="IChatHistoryStore"/> passes. Derive once per store and implement <see cref="CreateStore"/>
/// (each call may return a new instance over the same data, like a second process would).
/// </summary>
public abstract class ChatHistoryStoreContractTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates the store under test; calls within one test share its data.</summary>
    protected abstract IChatHistoryStore CreateStore();

    [Fact]
    public async Task LoadAsync_UnknownSession_ReturnsEmpty()
    {
        var store = CreateStore();

        var messages = await store.LoadAsync("nobody", Ct);

        Assert.Empty(messages);
    }

    [Fact]
    public async Task AppendAsync_TwoBatches_LoadsAllInOrder()
    {
        var store = CreateStore();

        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "one"), new ChatMessage(ChatRole.Assistant, "two")], Ct);
        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "three")], Ct);

        var messages = await store.LoadAsync("s1", Ct);
        Assert.Equal(["one", "two", "three"], messages.Select(m => m.Text));
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.User], messages.Select(m => m.Role));
    }

    [Fact]
    public async Task AppendAsync_EmptyBatch_StoresNothing()
    {
        var store = CreateStore();

        await store.AppendAsync("s1", [], Ct);

        Assert.Empty(await store.LoadAsync("s1", Ct));
    }

    [Fact]
    public async Task AppendAsync_OtherSession_KeepsSessionsApart()
    {
        var store = CreateStore();

        await store.AppendAsync("a", [new ChatMessage(ChatRole.User, "for a")], Ct);
        await store.AppendAsync("b", [new ChatMessage(ChatRole.User, "for b")], Ct);

        Assert.Equal(["for a"], (await store.LoadAsync("a", Ct)).Select(m => m.Text));
        Assert.Equal(["for b"], (await store.LoadAsync("b", Ct)).Select(m => m.Text));
    }

    [Fact]
    public async Task AppendAsync_UnusualSessionIds_WorkAndStayApart()
    {
        var store = CreateStore();
        string[] ids = ["user:42", "User:42", "会话 一", "a.b", ".hidden", "CON", "x%41"];

        foreach (var id in ids)
        {
            await store.AppendAsync(id, [new ChatMessage(ChatRole.User, "in " + id)], Ct);
        }

        foreach (var id in ids)
        {
            Assert.Equal(["in " + id], (await store.LoadAsync(id, Ct)).Select(m => m.Text));
        }
    }

    [Fact]
    public async Task LoadAsync_ThenAppend_ReturnedListIsASnapshot()
    {
        var store = CreateStore();
        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "first")], Ct);

        var before = await store.LoadAsync("s1", Ct);
        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "second")], Ct);

        Assert.Single(before);
        Assert.Equal(2, (await store.LoadAsync("s1", Ct)).Count);
    }

    [Fact]
    public async Task ClearAsync_Session_RemovesOnlyThatSession()
    {
        var store = CreateStore();
        await store.AppendAsync("a", [new ChatMessage(ChatRole.User, "for a")], Ct);
        await store.AppendAsync("b", [new ChatMessage(ChatRole.User, "for b")], Ct);

        await store.ClearAsync("a", Ct);

        Assert.Empty(await store.LoadAsync("a", Ct));
        Assert.Single(await store.LoadAsync("b", Ct));
    }

    [Fact]
    public async Task ClearAsync_ThenAppend_StartsAfresh()
    {
        var store = CreateStore();
        await store.AppendAsync("a", [new ChatMessage(ChatRole.User, "old")], Ct);

        await store.ClearAsync("a", Ct);
        await store.ClearAsync("never-used", Ct);
        await store.AppendAsync("a", [new ChatMessage(ChatRole.User, "new")], Ct);

        Assert.Equal(["new"], (await store.LoadAsync("a", Ct)).Select(m => m.Text));
    }

    [Fact]
    public async Task AppendAsync_EveryChatContent_RoundTripsWithoutLoss()
    {
        var store = CreateStore();
        var messages = AllContents();

        await store.AppendAsync("rich", messages, Ct);
        var loaded = await CreateStore().LoadAsync("rich", Ct);

        Assert.Equal(messages.Count, loaded.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            Assert.Equal(Json(messages[i]), Json(loaded[i]));
        }

        var assistant = loaded[1];
        Assert.Equal("bot", assistant.AuthorName);
        Assert.Equal("m-2", assistant.MessageId);
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(8)), assistant.CreatedAt);
        Assert.Equal("北京今天晴，21°C。🌤", Assert.IsType<TextContent>(assistant.Contents[0]).Text);
        var call = Assert.IsType<FunctionCallContent>(assistant.Contents[1]);
        Assert.Equal(("c1", "get_weather"), (call.CallId, call.Name));
        Assert.Equal("北京", ArgText(call.Arguments!["city"]));
        Assert.Equal("thinking…", Assert.IsType<TextReasoningContent>(assistant.Contents[2]).Text);
        var usage = Assert.IsType<UsageContent>(assistant.Contents[3]);
        Assert.Equal((10L, 5L, 15L), (usage.Details.InputTokenCount!.Value, usage.Details.OutputTokenCount!.Value, usage.Details.TotalTokenCount!.Value));
        Assert.Equal(3L, usage.Details.AdditionalCounts!["cached"]);
        Assert.Equal("v", ArgText(assistant.AdditionalProperties!["k"]));

        var tool = loaded[2];
        var result = Assert.IsType<FunctionResultContent>(tool.Contents[0]);
        Assert.Equal("c1", result.CallId);
        Assert.Equal("晴", JsonSerializer.SerializeToElement(result.Result, AIJsonUtilities.DefaultOptions).GetProperty("sky").GetString());

        var data = Assert.IsType<DataContent>(loaded[3].Contents[0]);
        Assert.Equal(Binary, data.Data.ToArray());
        Assert.Equal(("application/octet-stream", "blob.bin"), (data.MediaType, data.Name));
        var uri = Assert.IsType<UriContent>(loaded[3].Contents[1]);
        Assert.Equal(new Uri("https://example.com/a.png"), uri.Uri);
        Assert.Equal("E1", Assert.IsType<ErrorContent>(loaded[3].Contents[2]).ErrorCode);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentBatches_LoseNothingAndNeverInterleave()
    {
        var store = CreateStore();

        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(
            () => CreateStore().AppendAsync("busy", [new ChatMessage(ChatRole.User, $"q{i}"), new ChatMessage(ChatRole.Assistant, $"a{i}")], Ct),
            Ct)));

        var messages = await store.LoadAsync("busy", Ct);
        Assert.Equal(48, messages.Count);
        for (var i = 0; i < messages.Count; i += 2)
        {
            Assert.Equal("a" + messages[i].Text[1..], messages[i + 1].Text);
        }

        Assert.Equal(Enumerable.Range(0, 24).Select(i => $"q{i}").Order(), messages.Where(m => m.Role == ChatRole.User).Select(m => m.Text).Order());
    }

    [Fact]
    public async Task WithHistory_TwoConcurrentTurnsOnOneSession_LoseNoMessage()
    {
        var store = CreateStore();
        await store.AppendAsync("shared", [new ChatMessage(ChatRole.User, "hello"), new ChatMessage(ChatRole.Assistant, "hi")], Ct);
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        using var model = new CallbackChatClient(async (messages, ct) =>
        {
            var list = messages.ToList();
            if (Interlocked.Increment(ref started) == 2)
            {
                bothStarted.SetResult();
            }

            await bothStarted.Task.WaitAsync(ct);
            Assert.Equal(3, list.Count); // each turn saw the history as it was when it started
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "re: " + list[^1].Text));
        });
        var chain = model.AsRunnable().WithHistory(store, "shared");

        await Task.WhenAll(chain.InvokeAsync("first", cancellationToken: Ct).AsTask(), chain.InvokeAsync("second", cancellationToken: Ct).AsTask());

        var history = await store.LoadAsync("shared", Ct);
        Assert.Equal(6, history.Count);
        Assert.Equal(["hello", "hi"], history.Take(2).Select(m => m.Text));
        for (var i = 2; i < 6; i += 2)
        {
            Assert.Equal(ChatRole.User, history[i].Role);
            Assert.Equal("re: " + history[i].Text, history[i + 1].Text);
        }

        Assert.Equal(["first", "second"], history.Where(m => m.Role == ChatRole.User).Skip(1).Select(m => m.Text).Order());
    }

    [Fact]
    public async Task AppendAsync_CancelledToken_StoresNothing()
    {
        var store = CreateStore();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "x")], cts.Token));

        Assert.Empty(await store.LoadAsync("s1", Ct));
    }

    [Fact]
    public async Task AppendAsync_NullMessageInBatch_ThrowsAndStoresNothing()
    {
        var store = CreateStore();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "ok"), null!], Ct));

        Assert.Equal("messages", ex.ParamName);
        Assert.Empty(await store.LoadAsync("s1", Ct));
    }

    [Fact]
    public async Task Methods_InvalidSessionId_Throw()
    {
        var store = CreateStore();

        await Assert.ThrowsAsync<ArgumentNullException>(() => store.LoadAsync(null!, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.LoadAsync(" ", Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync("", [new ChatMessage(ChatRole.User, "x")], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ClearAsync("", Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.AppendAsync("s1", null!, Ct));
    }

    private static readonly byte[] Binary = [0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, (byte)'\n', (byte)'"'];

    private static List<ChatMessage> AllContents() =>
    [
        new(ChatRole.User, "北京天气怎么样？\n第二行 \"quoted\" \u2028 sep") { AuthorName = "小明", MessageId = "m-1" },
        new(ChatRole.Assistant, [
            new TextContent("北京今天晴，21°C。🌤"),
            new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "北京", ["days"] = 3, ["detail"] = new[] { "wind", "湿度" } }),
            new TextReasoningContent("thinking…") { ProtectedData = "opaque==" },
            new UsageContent(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15, AdditionalCounts = new() { ["cached"] = 3 } }),
        ])
        {
            AuthorName = "bot",
            MessageId = "m-2",
            CreatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(8)),
            AdditionalProperties = new() { ["k"] = "v", ["n"] = 7, ["chains.summary"] = 12 },
        },
        new(ChatRole.Tool, [new FunctionResultContent("c1", new { temp = 21.5, sky = "晴" })]),
        new(ChatRole.User, [
            new DataContent(Binary, "application/octet-stream") { Name = "blob.bin" },
            new UriContent(new Uri("https://example.com/a.png"), "image/png"),
            new ErrorContent("boom") { ErrorCode = "E1", Details = "详情" },
        ]),
    ];

    private static string Json(ChatMessage message) => JsonSerializer.Serialize(message, AIJsonUtilities.DefaultOptions);

    private static string? ArgText(object? value) => value switch
    {
        string s => s,
        JsonElement e => e.GetString(),
        _ => value?.ToString(),
    };

    /// <summary>A chat model whose answer a test writes as a callback (streaming yields the same answer).</summary>
    private sealed class CallbackChatClient(Func<IEnumerable<ChatMessage>, CancellationToken, Task<ChatResponse>> answer) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => answer(messages, cancellationToken);

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var response = await answer(messages, cancellationToken);
            foreach (var update in response.ToChatResponseUpdates())
            {
                yield return update;
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}
