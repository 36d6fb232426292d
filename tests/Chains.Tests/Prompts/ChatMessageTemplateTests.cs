using Chains.Prompts;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Prompts;

public class ChatMessageTemplateTests
{
    [Fact]
    public void System_Template_HasSystemRoleAndText()
    {
        var message = ChatMessageTemplate.System("You are {persona}.");

        Assert.Equal(ChatRole.System, message.Role);
        Assert.Equal("You are {persona}.", message.Template);
        Assert.False(message.IsPlaceholder);
        Assert.Null(message.PlaceholderName);
    }

    [Fact]
    public void UserAndAssistant_Templates_HaveTheirRoles()
    {
        Assert.Equal(ChatRole.User, ChatMessageTemplate.User("{q}").Role);
        Assert.Equal(ChatRole.Assistant, ChatMessageTemplate.Assistant("{a}").Role);
        Assert.Equal(ChatRole.Tool, ChatMessageTemplate.FromRole(ChatRole.Tool, "{r}").Role);
    }

    [Fact]
    public void User_MalformedTemplate_ThrowsImmediately()
    {
        var ex = Assert.Throws<PromptTemplateException>(() => ChatMessageTemplate.User("Question: {question"));

        Assert.Equal(10, ex.Position);
    }

    [Fact]
    public void Placeholder_Optional_IsPlaceholderWithoutRole()
    {
        var placeholder = ChatMessageTemplate.Placeholder("history", optional: true);

        Assert.True(placeholder.IsPlaceholder);
        Assert.True(placeholder.IsOptional);
        Assert.Equal("history", placeholder.PlaceholderName);
        Assert.Null(placeholder.Role);
        Assert.Null(placeholder.Template);
    }

    [Theory]
    [InlineData("")]
    [InlineData("chat history")]
    [InlineData("{history}")]
    public void Placeholder_InvalidName_Throws(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => ChatMessageTemplate.Placeholder(name));

        Assert.Equal("name", ex.ParamName);
    }

    [Fact]
    public void ToString_DescribesEntry()
    {
        Assert.Equal("system: Be brief", ChatMessageTemplate.System("Be brief").ToString());
        Assert.Equal("{{history}}?", ChatMessageTemplate.Placeholder("history", optional: true).ToString());
    }
}
