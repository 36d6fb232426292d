using Chains.Parsing;

namespace Chains.Tests.Parsing;

public class BooleanOutputParserTests
{
    [Theory]
    [InlineData("Yes")]
    [InlineData("yes.")]
    [InlineData("TRUE")]
    [InlineData("是")]
    [InlineData("是的。")]
    [InlineData("对")]
    [InlineData("正确")]
    [InlineData("答案：是")]
    public void Parse_TrueWord_ReturnsTrue(string text)
        => Assert.True(new BooleanOutputParser().Parse(text));

    [Theory]
    [InlineData("No")]
    [InlineData("false")]
    [InlineData("否")]
    [InlineData("不是")]
    [InlineData("不对。")]
    [InlineData("错")]
    [InlineData("错误")]
    [InlineData("不正确")]
    [InlineData("The answer is: no.")]
    public void Parse_FalseWord_ReturnsFalse(string text)
        => Assert.False(new BooleanOutputParser().Parse(text));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("也许吧")]
    [InlineData("")]
    public void Parse_NoWord_ThrowsWithRawText(string text)
    {
        var ex = Assert.Throws<OutputParserException>(() => new BooleanOutputParser().Parse(text));

        Assert.Equal(text, ex.RawText);
        Assert.Equal(typeof(bool), ex.TargetType);
    }

    [Fact]
    public void Parse_BothKinds_ThrowsAmbiguous()
    {
        var ex = Assert.Throws<OutputParserException>(() => new BooleanOutputParser().Parse("No, that's true."));

        Assert.Contains("both", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CustomWords_UsesThem()
    {
        var parser = new BooleanOutputParser(["同意", "approve"], ["拒绝"]);

        Assert.True(parser.Parse("我同意。"));
        Assert.True(parser.Parse("APPROVE"));
        Assert.False(parser.Parse("拒绝"));
        Assert.Throws<OutputParserException>(() => parser.Parse("yes"));
        Assert.Equal("Answer with only \"同意\" or \"拒绝\".", parser.FormatInstructions);
    }

    [Fact]
    public void Constructor_WordInBothLists_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BooleanOutputParser(["ok", "是"], ["是"]));

        Assert.Contains("是", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_EmptyList_Throws()
        => Assert.Throws<ArgumentException>(() => new BooleanOutputParser(trueWords: []));

    [Fact]
    public void FormatInstructions_Default_SuggestsYesOrNo()
        => Assert.Equal("Answer with only \"yes\" or \"no\".", new BooleanOutputParser().FormatInstructions);
}
