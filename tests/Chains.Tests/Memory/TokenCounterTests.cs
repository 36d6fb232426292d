using Chains.Memory;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Memory;

public sealed class TokenCounterTests
{
    private static readonly ITokenCounter Words = TokenCounter.Create(text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);

    [Fact]
    public void Create_Tokenizer_CountsTextWithIt()
    {
        var tokenizer = TestTokenizer.Create();
        var counter = TokenCounter.Create(tokenizer);

        Assert.Equal(tokenizer.CountTokens("what is the weather in 北京?"), counter.CountTokens("what is the weather in 北京?"));
        Assert.Equal(8, counter.CountTokens("what is the weather in 北京?"));
        Assert.Equal(0, counter.CountTokens(""));
    }

    [Fact]
    public void CountTokens_Message_AddsFramingRoleNameAndText()
    {
        var counter = TokenCounter.Create(text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, new TokenCounterOptions { TokensPerMessage = 4, TokensPerName = 2 });

        Assert.Equal(4 + 1 + 3, counter.CountTokens(new ChatMessage(ChatRole.User, "three word text")));
        Assert.Equal(4 + 1 + 2 + 1 + 3, counter.CountTokens(new ChatMessage(ChatRole.User, "three word text") { AuthorName = "ann" }));
    }

    [Fact]
    public void CountTokens_ToolCallAndResult_CountsNameArgumentsAndResult()
    {
        var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("id1", "get weather", new Dictionary<string, object?> { ["city"] = "Paris" })]);
        var result = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("id1", "sunny and warm")]);

        // framing 3 + role 1 + name 2 + {"city":"Paris"} as one word.
        Assert.Equal(3 + 1 + 2 + 1, Words.CountTokens(call));

        // framing 3 + role 1 + call id 1 + result 3.
        Assert.Equal(3 + 1 + 1 + 3, Words.CountTokens(result));
    }

    [Fact]
    public void CountTokens_MediaAndUsage_CountsMediaTokensAndNoUsage()
    {
        var counter = TokenCounter.Create(text => text.Length, new TokenCounterOptions { TokensPerMessage = 0, MediaTokens = 100 });
        var message = new ChatMessage(ChatRole.User, [
            new DataContent(new byte[5000], "image/png"),
            new UriContent(new Uri("https://example.com/x.png"), "image/png"),
            new UsageContent(new UsageDetails { TotalTokenCount = 99 }),
        ]);

        Assert.Equal(4 + 200, counter.CountTokens(message));
    }

    [Fact]
    public void CountTokens_Tools_CountsTheirJsonDefinition()
    {
        var tool = AIFunctionFactory.Create((string city) => city, "get_weather", "天气 lookup");
        var json = "{\"name\":\"get_weather\",\"description\":\"天气 lookup\",\"parameters\":" + tool.JsonSchema.GetRawText() + "}";
        var counter = TokenCounter.Create(text => text.Length, new TokenCounterOptions { TokensPerTool = 7 });

        Assert.Equal(json.Length + 7, counter.CountTokens([tool]));
        Assert.Equal(0, counter.CountTokens([]));
    }

    [Fact]
    public void CountTokens_SameLongTextInNewMessages_TokenizesItOnce()
    {
        var calls = new List<string>();
        var counter = TokenCounter.Create(text =>
        {
            calls.Add(text);
            return text.Length;
        });
        var text = "a history message read back from a store";

        var first = counter.CountTokens(new ChatMessage(ChatRole.User, text));
        var second = counter.CountTokens(new ChatMessage(ChatRole.User, new string(text.AsSpan())));
        var other = counter.CountTokens(new ChatMessage(ChatRole.User, text + "!"));

        Assert.Equal(first, second);
        Assert.Equal(first + 1, other);
        Assert.Equal(["user", text, text + "!"], calls);
    }

    [Fact]
    public void Create_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => TokenCounter.Create((Microsoft.ML.Tokenizers.Tokenizer)null!));
        Assert.Throws<ArgumentNullException>(() => TokenCounter.Create((Func<string, int>)null!));
        Assert.Throws<ArgumentNullException>(() => Words.CountTokens((string)null!));
    }

    [Fact]
    public void Options_NegativeValue_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenCounterOptions { TokensPerMessage = -1 });

        Assert.Equal("TokensPerMessage", ex.ParamName);
    }
}
