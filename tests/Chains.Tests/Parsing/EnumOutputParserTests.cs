using System.ComponentModel;
using System.Text.Json.Serialization;
using Chains.Parsing;

namespace Chains.Tests.Parsing;

public class EnumOutputParserTests
{
    public enum Sentiment
    {
        [Description("积极")]
        Positive,

        [Description("消极")]
        Negative,

        Neutral,

        [JsonStringEnumMemberName("very_positive")]
        [Description("非常积极")]
        VeryPositive,
    }

    [Theory]
    [InlineData("positive", Sentiment.Positive)]
    [InlineData("  \"NEGATIVE\". ", Sentiment.Negative)]
    [InlineData("**Neutral**", Sentiment.Neutral)]
    [InlineData("very positive", Sentiment.VeryPositive)]
    [InlineData("very_positive", Sentiment.VeryPositive)]
    [InlineData("「消极」", Sentiment.Negative)]
    public void Parse_BareName_ReturnsMember(string text, Sentiment expected)
        => Assert.Equal(expected, new EnumOutputParser<Sentiment>().Parse(text));

    [Theory]
    [InlineData("The sentiment of this review is neutral.", Sentiment.Neutral)]
    [InlineData("I'd call it VeryPositive overall.", Sentiment.VeryPositive)]
    [InlineData("情感：非常积极。", Sentiment.VeryPositive)]
    [InlineData("这条评论的情感是积极的", Sentiment.Positive)]
    public void Parse_OneMemberInProse_ReturnsIt(string text, Sentiment expected)
        => Assert.Equal(expected, new EnumOutputParser<Sentiment>().Parse(text));

    [Fact]
    public void Parse_TwoMembersNamed_ThrowsNamingBoth()
    {
        const string text = "It could be positive or negative.";

        var ex = Assert.Throws<OutputParserException>(() => new EnumOutputParser<Sentiment>().Parse(text));

        Assert.Equal(text, ex.RawText);
        Assert.Equal(typeof(Sentiment), ex.TargetType);
        Assert.Contains("Positive and Negative", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("不知道")]
    [InlineData("impositive")]
    public void Parse_NoMemberNamed_ThrowsListingChoices(string text)
    {
        var ex = Assert.Throws<OutputParserException>(() => new EnumOutputParser<Sentiment>().Parse(text));

        Assert.Equal(text, ex.RawText);
        Assert.Contains("Positive, Negative, Neutral, very_positive", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatInstructions_Default_ListsDisplayNames()
        => Assert.Equal(
            "Answer with exactly one of these values and nothing else: Positive, Negative, Neutral, very_positive.",
            new EnumOutputParser<Sentiment>().FormatInstructions);
}
