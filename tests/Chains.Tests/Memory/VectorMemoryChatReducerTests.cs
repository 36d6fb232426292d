using Chains.Indexes;
using Chains.Memory;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Memory;

public sealed class VectorMemoryChatReducerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OnTurnCompletedAsync_Turn_StoresItsTranscriptWithSessionAndMetadata()
    {
        var store = new RecordingVectorStore();
        var embedder = new KeywordEmbeddingGenerator("name", "weather");
        var memory = new VectorMemoryChatReducer(store, embedder, new VectorMemoryOptions { Metadata = new DocumentMetadata([new("user", "ann")]) });

        await memory.OnTurnCompletedAsync(new ChatTurn("s1", [new ChatMessage(ChatRole.User, "My name is Ann.")], [new ChatMessage(ChatRole.Assistant, "Nice to meet you, Ann!")]), Ct);

        var record = Assert.Single(store.Records);
        Assert.Equal("User: My name is Ann.\nAssistant: Nice to meet you, Ann!", record.Document.Content);
        Assert.Equal("s1", record.Document.Metadata.GetString(VectorMemoryChatReducer.SessionKey));
        Assert.Equal("ann", record.Document.Metadata.GetString("user"));
        Assert.StartsWith("s1/", record.Document.Id, StringComparison.Ordinal);
        Assert.Equal([1f, 0f, 0.01f], record.Vector.ToArray());
    }

    [Fact]
    public async Task ReduceAsync_RelevantPastTurn_RecalledAsASystemMessageAfterTheInstructions()
    {
        var (memory, _, _) = await MemoryWithAsync(
            ("My name is Ann.", "Hello Ann!"),
            ("The weather is sunny.", "Great."));
        List<ChatMessage> messages = [new(ChatRole.System, "be brief"), new(ChatRole.User, "What is my name?")];

        var reduced = (await memory.ReduceAsync(messages, Ct)).ToList();

        Assert.Equal(3, reduced.Count);
        Assert.Same(messages[0], reduced[0]);
        Assert.Equal(ChatRole.System, reduced[1].Role);
        Assert.Equal(VectorMemoryOptions.DefaultHeading + "\n\nUser: My name is Ann.\nAssistant: Hello Ann!", reduced[1].Text);
        Assert.Same(messages[1], reduced[2]);
    }

    [Fact]
    public async Task ReduceAsync_MinScore_LeavesOutUnrelatedTurns()
    {
        var (memory, _, _) = await MemoryWithAsync(new VectorMemoryOptions { Top = 5, MinScore = 0.5 }, ("My name is Ann.", "Hello Ann!"), ("The weather is sunny.", "Great."));

        var reduced = (await memory.ReduceAsync([new ChatMessage(ChatRole.User, "weather tomorrow?")], Ct)).ToList();

        Assert.Contains("The weather is sunny.", reduced[0].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Ann", reduced[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReduceAsync_TurnStillInThePrompt_IsNotRecalledAgain()
    {
        var (memory, _, _) = await MemoryWithAsync(("My name is Ann.", "Hello Ann!"));
        List<ChatMessage> messages = [new(ChatRole.User, "My name is Ann."), new(ChatRole.Assistant, "Hello Ann!"), new(ChatRole.User, "What is my name?")];

        var reduced = await memory.ReduceAsync(messages, Ct);

        Assert.Same(messages, reduced);
    }

    [Fact]
    public async Task ReduceAsync_Filter_RecallsOnlyMatchingTurns()
    {
        var store = new RecordingVectorStore();
        var embedder = new KeywordEmbeddingGenerator("name");
        var ann = new VectorMemoryChatReducer(store, embedder, new VectorMemoryOptions { Metadata = new DocumentMetadata([new("user", "ann")]), Filter = MetadataFilter.Eq("user", "ann") });
        var bob = new VectorMemoryChatReducer(store, embedder, new VectorMemoryOptions { Metadata = new DocumentMetadata([new("user", "bob")]), Filter = MetadataFilter.Eq("user", "bob") });
        await ann.OnTurnCompletedAsync(new ChatTurn("a", [new ChatMessage(ChatRole.User, "My name is Ann.")], [new ChatMessage(ChatRole.Assistant, "Hi Ann")]), Ct);
        await bob.OnTurnCompletedAsync(new ChatTurn("b", [new ChatMessage(ChatRole.User, "My name is Bob.")], [new ChatMessage(ChatRole.Assistant, "Hi Bob")]), Ct);

        var reduced = (await bob.ReduceAsync([new ChatMessage(ChatRole.User, "What is my name?")], Ct)).ToList();

        Assert.Contains("Bob", reduced[0].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Ann", reduced[0].Text, StringComparison.Ordinal);
        Assert.Equal(MetadataFilter.Eq("user", "bob"), store.LastSearch!.Filter);
    }

    [Fact]
    public async Task ReduceAsync_NoUserMessage_ReturnsTheMessagesWithoutEmbedding()
    {
        var (memory, store, embedder) = await MemoryWithAsync(("My name is Ann.", "Hello Ann!"));
        var callsBefore = embedder.Calls;
        List<ChatMessage> messages = [new(ChatRole.System, "sys"), new(ChatRole.Assistant, "hi")];

        var reduced = await memory.ReduceAsync(messages, Ct);

        Assert.Same(messages, reduced);
        Assert.Equal(callsBefore, embedder.Calls);
        Assert.Equal(0, store.Searches);
    }

    [Fact]
    public async Task ReduceAsync_ReducedListReducedAgain_ReplacesTheEarlierRecall()
    {
        var (memory, _, _) = await MemoryWithAsync(("My name is Ann.", "Hello Ann!"));

        var once = await memory.ReduceAsync([new ChatMessage(ChatRole.User, "my name?")], Ct);
        var twice = (await memory.ReduceAsync(once, Ct)).ToList();

        Assert.Equal(2, twice.Count);
        Assert.Single(twice, m => m.Role == ChatRole.System);
    }

    [Fact]
    public async Task WithHistory_WindowThenMemory_RecallsWhatTheWindowDropped()
    {
        var vectors = new RecordingVectorStore();
        var embedder = new KeywordEmbeddingGenerator("name", "weather", "pizza");
        var memory = new VectorMemoryChatReducer(vectors, embedder, new VectorMemoryOptions { Top = 1 });
        var model = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))) };
        var chain = model.AsRunnable().WithHistory(new InMemoryChatHistoryStore(), "s", new WindowChatReducer(3).Then(memory));

        foreach (var text in new[] { "My name is Ann.", "I like pizza.", "The weather is nice.", "What is my name?" })
        {
            await chain.InvokeAsync(text, cancellationToken: Ct);
        }

        Assert.Equal(4, vectors.Records.Count);
        var prompt = model.LastMessages!;
        Assert.Equal(ChatRole.System, prompt[0].Role);
        Assert.Contains("User: My name is Ann.", prompt[0].Text, StringComparison.Ordinal);
        Assert.Equal(["The weather is nice.", "ok", "What is my name?"], prompt.Skip(1).Select(m => m.Text));
    }

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new VectorMemoryChatReducer(null!, new KeywordEmbeddingGenerator()));
        Assert.Throws<ArgumentNullException>(() => new VectorMemoryChatReducer(new RecordingVectorStore(), null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorMemoryOptions { Top = 0 });
    }

    private static Task<(VectorMemoryChatReducer Memory, RecordingVectorStore Store, KeywordEmbeddingGenerator Embedder)> MemoryWithAsync(params (string User, string Assistant)[] turns)
        => MemoryWithAsync(new VectorMemoryOptions { Top = 1 }, turns);

    private static async Task<(VectorMemoryChatReducer Memory, RecordingVectorStore Store, KeywordEmbeddingGenerator Embedder)> MemoryWithAsync(VectorMemoryOptions options, params (string User, string Assistant)[] turns)
    {
        var store = new RecordingVectorStore();
        var embedder = new KeywordEmbeddingGenerator("name", "weather");
        var memory = new VectorMemoryChatReducer(store, embedder, options);
        foreach (var (user, assistant) in turns)
        {
            await memory.OnTurnCompletedAsync(new ChatTurn("s", [new ChatMessage(ChatRole.User, user)], [new ChatMessage(ChatRole.Assistant, assistant)]), Ct);
        }

        return (memory, store, embedder);
    }
}
