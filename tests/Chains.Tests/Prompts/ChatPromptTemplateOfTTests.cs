using Chains.Prompts;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Prompts;

public sealed record Conversation(string Persona, IReadOnlyList<ChatMessage>? History, string Question);

public sealed record BadConversation(string Question, string History);

public class ChatPromptTemplateOfTTests
{
    private static readonly ChatMessageTemplate[] Messages =
    [
        ChatMessageTemplate.System("You are {persona}."),
        ChatMessageTemplate.Placeholder("history"),
        ChatMessageTemplate.User("{question}"),
    ];

    [Fact]
    public async Task InvokeAsync_Record_ProducesMessagesForTheModel()
    {
        var client = FakeChatClient.Replying("ok");
        var chain = new ChatPromptTemplate<Conversation>(Messages).Pipe(client.AsRunnable());
        var history = new[] { new ChatMessage(ChatRole.User, "earlier"), new ChatMessage(ChatRole.Assistant, "reply") };

        await chain.InvokeAsync(new Conversation("terse", history, "now?"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["You are terse.", "earlier", "reply", "now?"], client.LastMessages!.Select(m => m.Text));
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User], client.LastMessages!.Select(m => m.Role));
    }

    [Fact]
    public async Task InvokeAsync_RequiredHistoryNull_FailsBeforeModelCall()
    {
        var client = FakeChatClient.Replying("never");
        var chain = new ChatPromptTemplate<Conversation>(Messages).Pipe(client.AsRunnable());

        var ex = await Assert.ThrowsAsync<PromptVariablesException>(async () => await chain.InvokeAsync(new Conversation("x", null, "y"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(["history"], ex.MissingVariables);
        Assert.Equal(0, client.Calls);
    }

    [Fact]
    public void Constructor_RecordLacksPlaceholderAndVariable_ThrowsNamingBoth()
    {
        var ex = Assert.Throws<PromptVariablesException>(() => new ChatPromptTemplate<Question>(Messages));

        Assert.Equal(["persona", "history", "question"], ex.MissingVariables);
        Assert.Equal(["Language", "Text"], ex.UnknownVariables);
    }

    [Fact]
    public void Constructor_PlaceholderPropertyNotMessages_ThrowsNamingProperty()
    {
        var template = new ChatPromptTemplate(ChatMessageTemplate.Placeholder("history"), ChatMessageTemplate.User("{question}"));

        var ex = Assert.Throws<ArgumentException>(() => template.AsRunnable<BadConversation>());

        Assert.Contains("'History'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("IEnumerable<ChatMessage>", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatMessages_OptionalHistoryNull_Omitted()
    {
        var template = new ChatPromptTemplate(ChatMessageTemplate.System("You are {persona}."), ChatMessageTemplate.Placeholder("history", optional: true), ChatMessageTemplate.User("{question}"));

        var messages = template.AsRunnable<Conversation>().FormatMessages(new Conversation("kind", null, "hi"));

        Assert.Equal(["You are kind.", "hi"], messages.Select(m => m.Text));
    }

    [Fact]
    public async Task InvokeAsync_WithEventSink_ReportsPromptStepKind()
    {
        var sink = new CollectingSink();
        var prompt = new ChatPromptTemplate<string>(ChatMessageTemplate.User("{q}"));

        var value = await prompt.InvokeAsync("hello", new RunOptions { EventSink = sink }, TestContext.Current.CancellationToken);

        Assert.False(value.IsText);
        Assert.Equal("hello", Assert.Single(value.Messages).Text);
        Assert.Equal("ChatPromptTemplate", sink.Events[0].Name);
        Assert.Equal(StepKinds.Prompt, sink.Events[0].Info.StepKind);
    }
}
