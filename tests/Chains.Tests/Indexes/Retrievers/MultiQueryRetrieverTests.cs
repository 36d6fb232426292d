using Chains.Indexes;
using Chains.Indexes.Retrievers;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Indexes.Retrievers;

public class MultiQueryRetrieverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_ModelWritesNumberedVariants_SearchesEachAndTheQuestion()
    {
        var inner = new FakeRetriever(q => [new Document(q, q)]);
        var model = FakeChatClient.Replying("1. what is a vector store\n2) how do embeddings get stored\n- vector database definition\n\n");
        var retriever = new MultiQueryRetriever(inner, model);

        var documents = await retriever.InvokeAsync("What is a vector database?", cancellationToken: Ct);

        Assert.Equal(
            ["What is a vector database?", "what is a vector store", "how do embeddings get stored", "vector database definition"],
            TestCorpus.Ids(documents));
        Assert.Equal(4, inner.Queries.Count);
    }

    [Fact]
    public async Task InvokeAsync_ChineseQuestion_AsksForVariantsInTheSameLanguageAndParsesChineseNumbering()
    {
        var inner = new FakeRetriever(q => [new Document(q, q)]);
        var model = FakeChatClient.Replying("1、向量数据库是什么\n2、嵌入向量怎么存储\n3、相似度检索的原理");
        var retriever = new MultiQueryRetriever(inner, model);

        var documents = await retriever.InvokeAsync("什么是向量数据库？", cancellationToken: Ct);

        var messages = model.LastMessages!;
        Assert.Equal(ChatRole.System, messages[0].Role);
        Assert.Contains("same language", messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("Chinese", messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("3 different", messages[0].Text, StringComparison.Ordinal);
        Assert.Equal("什么是向量数据库？", messages[1].Text);
        Assert.Equal(["什么是向量数据库？", "向量数据库是什么", "嵌入向量怎么存储", "相似度检索的原理"], TestCorpus.Ids(documents));
    }

    [Fact]
    public async Task InvokeAsync_SameDocumentFromSeveralQueries_ReturnedOnceAtItsBestRank()
    {
        var shared = new Document("shared", "s");
        var inner = new FakeRetriever(q => q switch
        {
            "q" => [new Document("a", "a"), new Document("b", "b"), shared],
            "v1" => [shared, new Document("c", "c")],
            _ => [new Document("a", "a")],
        });
        var retriever = new MultiQueryRetriever(inner, FakeChatClient.Replying("v1\nv2"), new MultiQueryRetrieverOptions { QueryCount = 2 });

        var documents = await retriever.InvokeAsync("q", cancellationToken: Ct);

        Assert.Equal(["a", "shared", "b", "c"], TestCorpus.Ids(documents));
    }

    [Fact]
    public async Task InvokeAsync_IncludeOriginalFalse_SearchesOnlyTheVariants()
    {
        var inner = new FakeRetriever(q => [new Document(q, q)]);
        var retriever = new MultiQueryRetriever(inner, FakeChatClient.Replying("v1\nv2\nv3\nv4"), new MultiQueryRetrieverOptions { IncludeOriginal = false });

        await retriever.InvokeAsync("q", cancellationToken: Ct);

        Assert.Equal(["v1", "v2", "v3"], inner.Queries.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task InvokeAsync_ModelAnswersNothingUsable_SearchesTheQuestionAlone()
    {
        var inner = new FakeRetriever(q => [new Document("d", q)]);
        var retriever = new MultiQueryRetriever(inner, FakeChatClient.Replying("  \n- \n"), new MultiQueryRetrieverOptions { IncludeOriginal = false });

        var documents = await retriever.InvokeAsync("q", cancellationToken: Ct);

        Assert.Equal(["q"], inner.Queries);
        Assert.Single(documents);
    }

    [Fact]
    public async Task InvokeAsync_MaxConcurrencyOne_RunsQueriesOneAtATime()
    {
        var inner = new FakeRetriever(q => [new Document(q, q)]);
        var retriever = new MultiQueryRetriever(inner, FakeChatClient.Replying("a\nb\nc"));

        await retriever.InvokeAsync("q", new RunOptions { MaxConcurrency = 1 }, Ct);

        Assert.Equal(4, inner.Queries.Count);
        Assert.Equal(1, inner.PeakConcurrency);
    }

    [Fact]
    public async Task InvokeAsync_WithEventSink_NestsTheModelAndInnerRetrieverRuns()
    {
        var inner = new FakeRetriever(q => [new Document(q, q)]);
        var retriever = new MultiQueryRetriever(inner, FakeChatClient.Replying("a"), new MultiQueryRetrieverOptions { QueryCount = 1 });
        var sink = new CollectingSink();

        await retriever.InvokeAsync("q", new RunOptions { EventSink = sink }, Ct);

        var started = sink.Events.OfType<RunStartedEvent>().ToArray();
        var root = Assert.Single(started, e => e.ParentRunId is null);
        Assert.Single(started, e => e.Info.StepKind == StepKinds.ChatModel && e.ParentRunId == root.RunId);
        Assert.Equal(2, started.Count(e => e.Name == nameof(FakeRetriever) && e.ParentRunId == root.RunId));
    }

    [Theory]
    [InlineData("1. one\n2. two", new[] { "one", "two" })]
    [InlineData("（1）一\n(2) 二", new[] { "一", "二" })]
    [InlineData("* one\n• two\n\"three\"", new[] { "one", "two", "three" })]
    [InlineData("same\nsame\nother", new[] { "same", "other" })]
    [InlineData("１．全角\n2：冒号", new[] { "全角", "冒号" })]
    public void ParseQueries_ListMarkersAndDuplicates_AreDropped(string text, string[] expected)
        => Assert.Equal(expected, MultiQueryRetriever.ParseQueries(text, 5));

    [Fact]
    public void Constructor_InvalidOptions_Throw()
    {
        var inner = new FakeRetriever(_ => []);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiQueryRetriever(inner, new FakeChatClient(), new MultiQueryRetrieverOptions { QueryCount = 0 }));
        Assert.Throws<ArgumentException>(() => new MultiQueryRetriever(inner, new FakeChatClient(), new MultiQueryRetrieverOptions { Instructions = " " }));
        Assert.Throws<ArgumentNullException>(() => new MultiQueryRetriever(null!, new FakeChatClient()));
    }
}
