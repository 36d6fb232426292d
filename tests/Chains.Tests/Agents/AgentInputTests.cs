using Chains.Agents;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Agents;

public sealed class AgentInputTests
{
    [Fact]
    public void ImplicitConversion_Text_OneUserMessage()
    {
        AgentInput input = "hello";

        var message = Assert.Single(input.Messages);
        Assert.Equal(ChatRole.User, message.Role);
        Assert.Equal("hello", message.Text);
        Assert.Null(input.History);
    }

    [Fact]
    public void Constructor_Messages_KeptInOrderAndCopied()
    {
        var messages = new List<ChatMessage> { new(ChatRole.User, "a"), new(ChatRole.User, "b") };

        var input = new AgentInput(messages);
        messages.Clear();

        Assert.Equal(["a", "b"], input.Messages.Select(m => m.Text));
    }

    [Fact]
    public void Constructor_NoMessages_Throws()
        => Assert.Throws<ArgumentException>(() => new AgentInput(Array.Empty<ChatMessage>()));

    [Fact]
    public void Constructor_NullMessage_Throws()
        => Assert.Throws<ArgumentNullException>(() => new AgentInput([null!]));

    [Fact]
    public void FromText_NullText_Throws()
        => Assert.Throws<ArgumentNullException>(() => AgentInput.FromText(null!));
}
