using System.Text.Json;
using Chains.Parsing;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Parsing;

public class JsonOutputParserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Parse_ChineseValues_ReadsThem()
    {
        var element = new JsonOutputParser().Parse("{\"name\": \"张三\", \"city\": \"北京\", \"tags\": [\"学生\", \"程序员\"]}");

        Assert.Equal("张三", element.GetProperty("name").GetString());
        Assert.Equal("北京", element.GetProperty("city").GetString());
        Assert.Equal("程序员", element.GetProperty("tags")[1].GetString());
    }

    [Fact]
    public void Parse_EscapedUnicode_Unescapes()
    {
        var element = new JsonOutputParser().Parse("{\"city\": \"\\u5317\\u4eac\", \"smile\": \"\\ud83d\\ude00\"}");

        Assert.Equal("北京", element.GetProperty("city").GetString());
        Assert.Equal("😀", element.GetProperty("smile").GetString());
    }

    [Fact]
    public void Parse_CodeFenceWithProse_ReadsFencedJson()
    {
        var text = "好的，结果如下：\n```json\n{\"answer\": \"是\", \"score\": 0.9}\n```\n希望有帮助！";

        var element = new JsonOutputParser().Parse(text);

        Assert.Equal("是", element.GetProperty("answer").GetString());
        Assert.Equal(0.9, element.GetProperty("score").GetDouble());
    }

    [Fact]
    public void Parse_ProseWithBracketsBeforeJson_SkipsThem()
    {
        var element = new JsonOutputParser().Parse("Here [as requested] is {the data}: [{\"id\": 1}, {\"id\": 2}] - enjoy.");

        Assert.Equal(JsonValueKind.Array, element.ValueKind);
        Assert.Equal(2, element[1].GetProperty("id").GetInt32());
    }

    [Fact]
    public void Parse_RawLineBreakInString_ReadsItAsNewline()
    {
        var element = new JsonOutputParser().Parse("{\"poem\": \"床前明月光\n疑是地上霜\"}");

        Assert.Equal("床前明月光\n疑是地上霜", element.GetProperty("poem").GetString());
    }

    [Theory]
    [InlineData("没有任何 JSON")]
    [InlineData("{\"a\": 1")]
    [InlineData("{\"a\": 01}")]
    [InlineData("{\"a\": 01, \"b\": {\"c\": 1}}")]
    public void Parse_NotJson_ThrowsWithRawText(string text)
    {
        var ex = Assert.Throws<OutputParserException>(() => new JsonOutputParser().Parse(text));

        Assert.Equal(text, ex.RawText);
        Assert.Equal(typeof(JsonElement), ex.TargetType);
        Assert.StartsWith("Expected a JSON object or array", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_ChineseObjectInChunks_YieldsProgressivelyCompletedObjects()
    {
        var chain = FakeChatClient.Streaming("{\"name\": \"张", "三\", \"age\": 3", "0}").AsRunnable().Pipe(new JsonOutputParser());

        var snapshots = await CollectAsync(chain.StreamAsync("谁?", cancellationToken: Ct));

        Assert.Equal(["{\"name\":\"张\"}", "{\"name\":\"张三\",\"age\":3}", "{\"name\":\"张三\",\"age\":30}"], snapshots.Select(s => s.GetRawText()));
    }

    [Fact]
    public async Task StreamAsync_ChunksThatChangeNothing_YieldNoNewSnapshot()
    {
        var chain = FakeChatClient.Streaming("{\"a\": 1, \"b", "\":", " tr", "ue}").AsRunnable().Pipe(new JsonOutputParser());

        var snapshots = await CollectAsync(chain.StreamAsync("x", cancellationToken: Ct));

        Assert.Equal(["{\"a\":1}", "{\"a\":1,\"b\":true}"], snapshots.Select(s => s.GetRawText()));
    }

    [Fact]
    public async Task StreamAsync_FencedAnswer_YieldsCompleteValueLast()
    {
        var chain = FakeChatClient.Streaming("```json\n[{\"n\": \"苹果\"}, {\"n\": \"香", "蕉\"}]\n```").AsRunnable().Pipe(new JsonOutputParser());

        var snapshots = await CollectAsync(chain.StreamAsync("x", cancellationToken: Ct));

        Assert.Equal("[{\"n\":\"苹果\"},{\"n\":\"香\"}]", snapshots[0].GetRawText());
        Assert.Equal("香蕉", snapshots[^1][1].GetProperty("n").GetString());
    }

    [Fact]
    public async Task StreamAsync_AnswerCutOff_ThrowsAfterPartialSnapshots()
    {
        var chain = FakeChatClient.Streaming("{\"a\": 1", ", \"b\": [2").AsRunnable().Pipe(new JsonOutputParser());
        var snapshots = new List<JsonElement>();

        var ex = await Assert.ThrowsAsync<OutputParserException>(async () =>
        {
            await foreach (var s in chain.StreamAsync("x", cancellationToken: Ct))
            {
                snapshots.Add(s);
            }
        });

        Assert.Equal("{\"a\": 1, \"b\": [2", ex.RawText);
        Assert.Equal("{\"a\":1,\"b\":[2]}", snapshots[^1].GetRawText());
    }

    [Fact]
    public async Task InvokeAsync_AfterModel_ParsesWholeAnswer()
    {
        var chain = FakeChatClient.Replying("```json\n{\"ok\": true}\n```").AsRunnable().Pipe(new JsonOutputParser());

        var element = await chain.InvokeAsync("x", cancellationToken: Ct);

        Assert.True(element.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void FormatInstructions_Default_AsksForJson()
        => Assert.Contains("JSON", new JsonOutputParser().FormatInstructions, StringComparison.Ordinal);

    private static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
