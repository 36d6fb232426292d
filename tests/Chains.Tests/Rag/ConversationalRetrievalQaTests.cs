using Chains.Indexes;
using Chains.Rag;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Rag;

public sealed class ConversationalRetrievalQaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_EmptyHistory_AnswersTheQuestionWithoutCondensing()
    {
        var condenser = FakeChatClient.Replying("should not be used");
        var chain = new ConversationalRetrievalQa(Echo(), condenser);

        var answer = await chain.InvokeAsync(new ConversationalQuestion("What is the capital of France?", []), cancellationToken: Ct);

        Assert.Equal("What is the capital of France?", answer.Question);
        Assert.Equal(0, condenser.Calls);
    }

    [Fact]
    public async Task InvokeAsync_ChineseHistory_AnswersTheStandaloneQuestion()
    {
        var condenser = FakeChatClient.Replying("  巴黎有多少人口？\n");
        var chain = new ConversationalRetrievalQa(Echo(), condenser);
        ChatMessage[] history = [new(ChatRole.User, "法国的首都是哪里？"), new(ChatRole.Assistant, "巴黎。")];

        var answer = await chain.InvokeAsync(new ConversationalQuestion("那里有多少人？", history), cancellationToken: Ct);

        Assert.Equal("巴黎有多少人口？", answer.Question);
        var sent = condenser.LastMessages!;
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User], sent.Select(m => m.Role));
        Assert.Equal("Follow-up question: 那里有多少人？", sent[^1].Text);
        Assert.Contains("Keep the language", sent[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_CondenserRepliesBlank_FallsBackToTheFollowUp()
    {
        var chain = new ConversationalRetrievalQa(Echo(), FakeChatClient.Replying("   "));

        var answer = await chain.InvokeAsync(new ConversationalQuestion("And its population?", [new(ChatRole.User, "Tell me about Paris.")]), cancellationToken: Ct);

        Assert.Equal("And its population?", answer.Question);
    }

    [Fact]
    public async Task InvokeAsync_EventSink_CondenseAndAnswerAreChildSteps()
    {
        var sink = new CollectingSink();
        var chain = new ConversationalRetrievalQa(Echo(), FakeChatClient.Replying("What is the population of Paris?"));

        await chain.InvokeAsync(new ConversationalQuestion("And its population?", [new(ChatRole.User, "Tell me about Paris.")]), new RunOptions { EventSink = sink }, Ct);

        var started = sink.Events.OfType<RunStartedEvent>().ToArray();
        var root = started[0];
        Assert.Equal("ConversationalRetrievalQa", root.Name);
        Assert.Equal(["CondenseQuestion", "Echo"], started.Where(e => e.ParentRunId == root.RunId).Select(e => e.Name));
        Assert.Contains(started, e => e.Name == "fake-model");
    }

    [Fact]
    public async Task StreamAsync_WithHistory_StreamsTheAnswerOfTheStandaloneQuestion()
    {
        Document[] passages = [new("p", "Paris has about two million inhabitants.")];
        var qa = new RetrievalQa(Runnable.Lambda<string, IReadOnlyList<Document>>(_ => passages), FakeChatClient.Streaming("Paris has about two million ", "inhabitants [1]."));
        var chain = new ConversationalRetrievalQa(qa, FakeChatClient.Replying("What is the population of Paris?"));

        var snapshots = await chain.StreamAsync(new ConversationalQuestion("And its population?", [new(ChatRole.User, "Tell me about Paris.")]), cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(4, snapshots.Count);
        Assert.All(snapshots, s => Assert.Equal("What is the population of Paris?", s.Question));
        Assert.True(snapshots[^1].IsFullySupported);
    }

    [Fact]
    public async Task InvokeAsync_NullHistory_Throws()
    {
        var chain = new ConversationalRetrievalQa(Echo(), new FakeChatClient());

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await chain.InvokeAsync(new ConversationalQuestion("Why?", null!), cancellationToken: Ct));
    }

    private static Runnable<string, RagAnswer> Echo()
        => Runnable.Lambda<string, RagAnswer>(q => new RagAnswer { Question = q, Answer = "answer to " + q, Passages = [], IsComplete = true }, "Echo");
}
