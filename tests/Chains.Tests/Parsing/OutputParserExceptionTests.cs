using Chains.Parsing;

namespace Chains.Tests.Parsing;

public class OutputParserExceptionTests
{
    [Fact]
    public void Constructor_Full_KeepsRawTextTypeAndInner()
    {
        var inner = new FormatException("bad");

        var ex = new OutputParserException("expected a number", "不是数字", typeof(int), inner);

        Assert.Equal("expected a number", ex.Message);
        Assert.Equal("不是数字", ex.RawText);
        Assert.Equal(typeof(int), ex.TargetType);
        Assert.Same(inner, ex.InnerException);
    }

    [Fact]
    public void Constructor_MessageOnly_HasEmptyRawTextAndObjectType()
    {
        var ex = new OutputParserException("oops");

        Assert.Equal(string.Empty, ex.RawText);
        Assert.Equal(typeof(object), ex.TargetType);
    }

    [Fact]
    public void Constructor_NullRawText_Throws()
        => Assert.Throws<ArgumentNullException>(() => new OutputParserException("m", null!, typeof(int)));
}
