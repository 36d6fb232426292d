using Chains.Parsing;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Parsing;

public class CsvOutputParserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Parse_AsciiAndChineseCommas_SplitsOnBoth()
        => Assert.Equal(["苹果", "香蕉", "橙子", "grape"], new CsvOutputParser().Parse("苹果，香蕉, 橙子,grape\n"));

    [Fact]
    public void Parse_QuotedItems_KeepSeparatorsAndEscapedQuotes()
    {
        var items = new CsvOutputParser().Parse("\"Hello, world\", \"say \"\"hi\"\"\" , plain, \"你好，世界\"");

        Assert.Equal(["Hello, world", "say \"hi\"", "plain", "你好，世界"], items);
    }

    [Fact]
    public void Parse_EmptyItems_SkipsThem()
        => Assert.Equal(["a", "b"], new CsvOutputParser().Parse("a,, b, ,"));

    [Fact]
    public void Parse_CustomSeparators_SplitsOnEnumerationComma()
        => Assert.Equal(["苹果", "香蕉", "橙子"], new CsvOutputParser(",，、").Parse("苹果、香蕉，橙子"));

    [Theory]
    [InlineData("")]
    [InlineData(",\"")]
    [InlineData(", ")]
    public void Constructor_BadSeparators_Throws(string separators)
        => Assert.Throws<ArgumentException>(() => new CsvOutputParser(separators));

    [Fact]
    public async Task StreamAsync_ItemsInChunks_YieldsGrowingListPerCompletedItem()
    {
        var chain = FakeChatClient.Streaming("red, gr", "een, \"a,", "b\"").AsRunnable().Pipe(new CsvOutputParser());

        var lists = new List<IReadOnlyList<string>>();
        await foreach (var list in chain.StreamAsync("colors", cancellationToken: Ct))
        {
            lists.Add(list);
        }

        Assert.Equal(3, lists.Count);
        Assert.Equal(["red"], lists[0]);
        Assert.Equal(["red", "green"], lists[1]);
        Assert.Equal(["red", "green", "a,b"], lists[2]);
    }

    [Fact]
    public async Task StreamAsync_EscapedQuoteSplitAcrossChunks_KeepsQuote()
    {
        var chain = FakeChatClient.Streaming("\"say \"", "\"hi\"\"\"").AsRunnable().Pipe(new CsvOutputParser());

        IReadOnlyList<string>? last = null;
        await foreach (var list in chain.StreamAsync("x", cancellationToken: Ct))
        {
            last = list;
        }

        Assert.Equal(["say \"hi\""], last);
    }

    [Fact]
    public void FormatInstructions_Default_AsksForCommaSeparatedValues()
        => Assert.Contains("comma-separated", new CsvOutputParser().FormatInstructions, StringComparison.Ordinal);
}
