using Chains.Parsing;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Parsing;

public class ListOutputParserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Parse_MixedBulletsAndNumbering_StripsThem()
    {
        const string text = "1. 苹果\n2) 香蕉\n- 橙子\n• 葡萄\n1、西瓜\n一、桃子\n（3）梨\n①草莓\n* Kiwi";

        var items = new ListOutputParser().Parse(text);

        Assert.Equal(["苹果", "香蕉", "橙子", "葡萄", "西瓜", "桃子", "梨", "草莓", "Kiwi"], items);
    }

    [Fact]
    public void Parse_NumbersThatAreContent_KeepsThem()
    {
        var items = new ListOutputParser().Parse("1.5 kg flour\n10:30 开会\n-5 degrees");

        Assert.Equal(["1.5 kg flour", "10:30 开会", "-5 degrees"], items);
    }

    [Fact]
    public void Parse_BlankAndFenceLines_SkipsThem()
    {
        var items = new ListOutputParser().Parse("```\r\n  北京  \r\n\r\n上海\r\n```\r\n");

        Assert.Equal(["北京", "上海"], items);
    }

    [Fact]
    public void Parse_Empty_ReturnsEmptyList()
        => Assert.Empty(new ListOutputParser().Parse("   \n"));

    [Fact]
    public async Task StreamAsync_LinesInChunks_YieldsGrowingListPerCompletedItem()
    {
        var chain = FakeChatClient.Streaming("1. 苹果\n2. 香", "蕉\n", "3. 橙子").AsRunnable().Pipe(new ListOutputParser());

        var lists = new List<IReadOnlyList<string>>();
        await foreach (var list in chain.StreamAsync("水果", cancellationToken: Ct))
        {
            lists.Add(list);
        }

        Assert.Equal(3, lists.Count);
        Assert.Equal(["苹果"], lists[0]);
        Assert.Equal(["苹果", "香蕉"], lists[1]);
        Assert.Equal(["苹果", "香蕉", "橙子"], lists[2]);
    }

    [Fact]
    public async Task StreamAsync_NoItems_YieldsOneEmptyList()
    {
        var chain = FakeChatClient.Streaming("  ", "\n").AsRunnable().Pipe(new ListOutputParser());

        var lists = new List<IReadOnlyList<string>>();
        await foreach (var list in chain.StreamAsync("x", cancellationToken: Ct))
        {
            lists.Add(list);
        }

        Assert.Empty(Assert.Single(lists));
    }

    [Fact]
    public void FormatInstructions_Default_AsksForOneItemPerLine()
        => Assert.Contains("one per line", new ListOutputParser().FormatInstructions, StringComparison.Ordinal);
}
