using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using Chains.Parsing;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Parsing;

public class StructuredOutputParserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public enum Mood
    {
        Calm,
        Happy,
    }

    [Fact]
    public void Parse_CamelCaseJsonWithEnumString_ReadsRecord()
    {
        var person = new StructuredOutputParser<Person>().Parse("{\"name\": \"张三\", \"age\": 30, \"mood\": \"happy\"}");

        Assert.Equal(new Person("张三", 30, Mood.Happy), person);
    }

    [Fact]
    public void Parse_PascalCaseInFenceWithProse_ReadsRecord()
    {
        var person = new StructuredOutputParser<Person>().Parse("结果：\n```json\n{\"Name\": \"李四\", \"Age\": \"41\"}\n```");

        Assert.Equal(new Person("李四", 41, Mood.Calm), person);
    }

    [Fact]
    public void Parse_WrongPropertyType_ThrowsWithRawTextAndTargetType()
    {
        const string text = "{\"name\": \"王五\", \"age\": \"很老\"}";

        var ex = Assert.Throws<OutputParserException>(() => new StructuredOutputParser<Person>().Parse(text));

        Assert.Equal(text, ex.RawText);
        Assert.Equal(typeof(Person), ex.TargetType);
        Assert.IsType<JsonException>(ex.InnerException);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("I don't know")]
    [InlineData("{\"name\": \"cut")]
    public void Parse_NoObject_Throws(string text)
    {
        var ex = Assert.Throws<OutputParserException>(() => new StructuredOutputParser<Person>().Parse(text));

        Assert.Equal(text, ex.RawText);
    }

    [Fact]
    public void Parse_ScalarType_ReadsBareValue()
        => Assert.Equal(42, new StructuredOutputParser<int>().Parse(" 42\n"));

    [Fact]
    public void JsonSchema_Record_DescribesPropertiesInCamelCase()
    {
        var schema = new StructuredOutputParser<Person>().JsonSchema;

        var properties = schema.GetProperty("properties");
        Assert.True(properties.TryGetProperty("name", out _));
        Assert.True(properties.TryGetProperty("age", out _));
        Assert.Contains("Happy", properties.GetProperty("mood").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void FormatInstructions_ChineseDescriptions_IncludesSchemaUnescaped()
    {
        var instructions = new StructuredOutputParser<Person>().FormatInstructions;

        Assert.Contains("JSON schema", instructions, StringComparison.Ordinal);
        Assert.Contains("姓名", instructions, StringComparison.Ordinal);
        Assert.Contains("\"age\"", instructions, StringComparison.Ordinal);
    }

    [Fact]
    public void ResponseFormat_Default_CarriesSchemaAndTypeName()
    {
        var parser = new StructuredOutputParser<Person>();

        Assert.True(JsonElement.DeepEquals(parser.JsonSchema, parser.ResponseFormat.Schema!.Value));
        Assert.Equal("Person", parser.ResponseFormat.SchemaName);
        Assert.Equal("一个人", parser.ResponseFormat.SchemaDescription);
    }

    [Fact]
    public void ResponseFormat_GenericType_HasServiceSafeName()
        => Assert.Equal("List_Person", new StructuredOutputParser<List<Person>>().ResponseFormat.SchemaName);

    [Fact]
    public void CreateChatOptions_BaseOptions_ClonesAndSetsResponseFormat()
    {
        var parser = new StructuredOutputParser<Person>(schemaName: "person_v1");
        var baseOptions = new ChatOptions { Temperature = 0.2f };

        var options = parser.CreateChatOptions(baseOptions);

        Assert.NotSame(baseOptions, options);
        Assert.Equal(0.2f, options.Temperature);
        Assert.Same(parser.ResponseFormat, options.ResponseFormat);
        Assert.Null(baseOptions.ResponseFormat);
        Assert.Equal("person_v1", ((ChatResponseFormatJson)options.ResponseFormat!).SchemaName);
    }

    [Fact]
    public async Task InvokeAsync_ModelWithOptions_SendsResponseFormatAndParses()
    {
        var parser = new StructuredOutputParser<Person>();
        var client = FakeChatClient.Replying("{\"name\": \"赵六\", \"age\": 7}");
        var chain = client.AsRunnable(parser.CreateChatOptions()).Pipe(parser);

        var person = await chain.InvokeAsync("谁?", cancellationToken: Ct);

        Assert.Equal(new Person("赵六", 7, Mood.Calm), person);
        Assert.Same(parser.ResponseFormat, client.LastOptions?.ResponseFormat);
    }

    [Fact]
    public void Constructor_OptionsWithoutResolver_UsesTheirNaming()
    {
        var parser = new StructuredOutputParser<Book>(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

        Assert.Equal(new Book("红楼梦"), parser.Parse("{\"book_title\": \"红楼梦\"}"));
        Assert.True(parser.JsonSchema.GetProperty("properties").TryGetProperty("book_title", out _));
    }

    [Fact]
    public void Constructor_BlankSchemaName_Throws()
        => Assert.Throws<ArgumentException>(() => new StructuredOutputParser<Person>(schemaName: " "));

    [Fact]
    public async Task StreamAsync_ChineseObjectInChunks_YieldsPartialRecords()
    {
        var chain = FakeChatClient.Streaming("{\"name\": \"张", "三\", \"age\": 3", "0}").AsRunnable().Pipe(new StructuredOutputParser<Person>());

        var people = new List<Person>();
        await foreach (var person in chain.StreamAsync("谁?", cancellationToken: Ct))
        {
            people.Add(person);
        }

        Assert.Equal([new Person("张", 0, Mood.Calm), new Person("张三", 3, Mood.Calm), new Person("张三", 30, Mood.Calm)], people);
    }

    [Fact]
    public async Task StreamAsync_RequiredPropertyMissing_SkipsSnapshotUntilItArrives()
    {
        var chain = FakeChatClient.Streaming("{\"comment\": \"好", "\", \"score\": 9", "}").AsRunnable().Pipe(new StructuredOutputParser<Review>());

        var reviews = new List<Review>();
        await foreach (var review in chain.StreamAsync("评价", cancellationToken: Ct))
        {
            reviews.Add(review);
        }

        var only = Assert.Single(reviews);
        Assert.Equal(9, only.Score);
        Assert.Equal("好", only.Comment);
    }

    [Description("一个人")]
    public sealed record Person([property: Description("姓名")] string Name, int Age, Mood Mood = Mood.Calm);

    public sealed record Book(string BookTitle);

    public sealed class Review
    {
        [JsonRequired]
        public int Score { get; set; }

        public string? Comment { get; set; }
    }
}
