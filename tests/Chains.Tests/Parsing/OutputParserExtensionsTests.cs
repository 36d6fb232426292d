using Chains.Parsing;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Parsing;

public class OutputParserExtensionsTests
{
    [Fact]
    public async Task WithFixing_BrokenAnswer_FixesWithModel()
    {
        var fixer = FakeChatClient.Replying("否");

        var value = await new BooleanOutputParser().WithFixing(fixer, maxAttempts: 1)
            .InvokeAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, "我不确定")), cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(value);
        Assert.Equal(1, fixer.Calls);
    }

    [Fact]
    public void WithFixing_NullParser_Throws()
        => Assert.Throws<ArgumentNullException>(() => ((OutputParser<bool>)null!).WithFixing(FakeChatClient.Replying("x")));
}
