using Chains.Prompts;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Prompts;

public class ChatPromptTemplateTests
{
    private static readonly ChatPromptTemplate Template = new(
        ChatMessageTemplate.System("You are a {persona}."),
        ChatMessageTemplate.Placeholder("history", optional: true),
        ChatMessageTemplate.User("{question}"));

    [Fact]
    public void FormatMessages_WithHistory_ExpandsPlaceholderInOrder()
    {
        ChatMessage[] history = [new(ChatRole.User, "Hi"), new(ChatRole.Assistant, "Hello!")];

        var messages = Template.FormatMessages(new { persona = "pirate", history, question = "Where is the gold?" });

        Assert.Equal(4, messages.Count);
        Assert.Equal((ChatRole.System, "You are a pirate."), (messages[0].Role, messages[0].Text));
        Assert.Same(history[0], messages[1]);
        Assert.Same(history[1], messages[2]);
        Assert.Equal((ChatRole.User, "Where is the gold?"), (messages[3].Role, messages[3].Text));
    }

    [Fact]
    public void FormatMessages_OptionalPlaceholderAbsent_ExpandsToNothing()
    {
        var messages = Template.FormatMessages(new Dictionary<string, object?> { ["persona"] = "poet", ["question"] = "Rain?" });

        Assert.Equal(["You are a poet.", "Rain?"], messages.Select(m => m.Text));
    }

    [Fact]
    public void FormatMessages_RequiredPlaceholderAbsent_ThrowsNamingIt()
    {
        var template = new ChatPromptTemplate(ChatMessageTemplate.Placeholder("history"), ChatMessageTemplate.User("{question}"));

        var ex = Assert.Throws<PromptVariablesException>(() => template.FormatMessages(new Dictionary<string, object?> { ["question"] = "?", ["histroy"] = Array.Empty<ChatMessage>() }));

        Assert.Equal(["history"], ex.MissingVariables);
        Assert.Equal(["histroy"], ex.UnknownVariables);
    }

    [Fact]
    public void FormatMessages_RequiredPlaceholderNull_ThrowsPromptVariablesException()
    {
        var template = new ChatPromptTemplate(ChatMessageTemplate.Placeholder("history"));

        var ex = Assert.Throws<PromptVariablesException>(() => template.FormatMessages(new Dictionary<string, object?> { ["history"] = null }));

        Assert.Equal(["history"], ex.MissingVariables);
    }

    [Fact]
    public void FormatMessages_PlaceholderValueNotMessages_ThrowsNamingPlaceholder()
    {
        var ex = Assert.Throws<ArgumentException>(() => Template.FormatMessages(new Dictionary<string, object?> { ["persona"] = "x", ["question"] = "y", ["history"] = "not messages" }));

        Assert.Contains("'history'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("String", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatMessages_SingleMessageForPlaceholder_IsAccepted()
    {
        var messages = Template.FormatMessages(new Dictionary<string, object?> { ["persona"] = "x", ["question"] = "y", ["history"] = new ChatMessage(ChatRole.User, "earlier") });

        Assert.Equal(["You are a x.", "earlier", "y"], messages.Select(m => m.Text));
    }

    [Fact]
    public void InputVariables_IncludeRequiredPlaceholdersOnly()
    {
        var template = new ChatPromptTemplate(
            ChatMessageTemplate.System("{a}"),
            ChatMessageTemplate.Placeholder("required"),
            ChatMessageTemplate.Placeholder("optional", optional: true),
            ChatMessageTemplate.User("{b} {a}"));

        Assert.Equal(["a", "required", "b"], template.InputVariables);
    }

    [Fact]
    public void Constructor_NameIsVariableAndPlaceholder_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ChatPromptTemplate(ChatMessageTemplate.User("{history}"), ChatMessageTemplate.Placeholder("history")));

        Assert.Contains("'history'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DuplicatePlaceholder_Throws()
        => Assert.Throws<ArgumentException>(() => new ChatPromptTemplate(ChatMessageTemplate.Placeholder("h"), ChatMessageTemplate.Placeholder("h")));

    [Fact]
    public void WithPartial_PlaceholderMessages_FillsPlaceholder()
    {
        var template = Template.WithPartial("history", new[] { new ChatMessage(ChatRole.User, "fixed") }).WithPartial("persona", "judge");

        var messages = template.FormatMessages(new { question = "Verdict?" });

        Assert.Equal(["You are a judge.", "fixed", "Verdict?"], messages.Select(m => m.Text));
        Assert.Equal(["question"], template.InputVariables);
    }

    [Fact]
    public void WithPartial_PlaceholderNonMessageValue_Throws()
        => Assert.Throws<ArgumentException>(() => Template.WithPartial("history", 42));

    [Fact]
    public void FormatMessages_ChineseTemplates_Works()
    {
        var template = new ChatPromptTemplate(ChatMessageTemplate.System("你是一位{角色}。"), ChatMessageTemplate.User("请用{语言}回答：{问题}"));

        var messages = template.FormatMessages(new { 角色 = "老师", 语言 = "中文", 问题 = "什么是光合作用？" });

        Assert.Equal(["你是一位老师。", "请用中文回答：什么是光合作用？"], messages.Select(m => m.Text));
    }

    [Fact]
    public void FormatMessages_ConcurrentCalls_ProduceIndependentMessages()
    {
        var results = new IReadOnlyList<ChatMessage>[500];

        Parallel.For(0, results.Length, i => results[i] = Template.FormatMessages(new { persona = $"p{i}", question = $"q{i}", history = new[] { new ChatMessage(ChatRole.User, $"h{i}") } }));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal([$"You are a p{i}.", $"h{i}", $"q{i}"], results[i].Select(m => m.Text));
        }
    }

    [Fact]
    public void Constructor_NullEntry_Throws()
        => Assert.Throws<ArgumentNullException>(() => new ChatPromptTemplate([ChatMessageTemplate.User("x"), null!], null));
}
