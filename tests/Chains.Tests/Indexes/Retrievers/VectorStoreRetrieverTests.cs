using Chains.Indexes;
using Chains.Indexes.Retrievers;
using Chains.Runnables;
using Chains.Tests.Fakes;

namespace Chains.Tests.Indexes.Retrievers;

public class VectorStoreRetrieverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_Query_ReturnsNearestDocumentsBestFirst()
    {
        using var store = await TestCorpus.StoreAsync(TestCorpus.English, Ct);
        var retriever = new VectorStoreRetriever(store, new BagOfWordsEmbeddingGenerator(), new VectorSearchOptions { Top = 2 });

        var documents = await retriever.InvokeAsync("Why did interest rates rise?", cancellationToken: Ct);

        Assert.Equal(2, documents.Count);
        Assert.All(documents, d => Assert.Equal("finance", d.Metadata.GetString("topic")));
    }

    [Fact]
    public async Task InvokeAsync_MinScore_DropsWeakMatches()
    {
        using var store = await TestCorpus.StoreAsync(TestCorpus.English, Ct);
        var retriever = new VectorStoreRetriever(store, new BagOfWordsEmbeddingGenerator(), new VectorSearchOptions { Top = 5, MinScore = 0.3 });

        var documents = await retriever.InvokeAsync("cat sleeps on rug", cancellationToken: Ct);

        Assert.Equal("cats", documents[0].Id);
        Assert.DoesNotContain("stocks", TestCorpus.Ids(documents));
        Assert.True(documents.Count < 5);
    }

    [Fact]
    public async Task InvokeAsync_Filter_ReturnsOnlyMatchingDocuments()
    {
        using var store = await TestCorpus.StoreAsync(TestCorpus.English, Ct);
        var retriever = store.AsRetriever(new BagOfWordsEmbeddingGenerator(), new VectorSearchOptions { Top = 5, Filter = MetadataFilter.Eq("topic", "home") });

        var documents = await retriever.InvokeAsync("the cat on the warm rug", cancellationToken: Ct);

        Assert.Equal(["rugs"], TestCorpus.Ids(documents));
    }

    [Fact]
    public async Task InvokeAsync_ChineseQuery_FindsTheChineseDocument()
    {
        using var store = await TestCorpus.StoreAsync(TestCorpus.Chinese, Ct);
        var retriever = new VectorStoreRetriever(store, new BagOfWordsEmbeddingGenerator(), new VectorSearchOptions { Top = 1 });

        var documents = await retriever.InvokeAsync("上海到北京的高铁要多久？", cancellationToken: Ct);

        Assert.Equal(["zh-train"], TestCorpus.Ids(documents));
    }

    [Fact]
    public async Task InvokeAsync_WithEventSink_ReportsTheEmbeddingAsAChildStep()
    {
        using var store = await TestCorpus.StoreAsync(TestCorpus.English, Ct);
        var retriever = new VectorStoreRetriever(store, new BagOfWordsEmbeddingGenerator());
        var sink = new CollectingSink();

        await retriever.InvokeAsync("dog in the park", new RunOptions { EventSink = sink }, Ct);

        var started = sink.Events.OfType<RunStartedEvent>().ToArray();
        var root = Assert.Single(started, e => e.Info.StepKind == StepKinds.Retriever);
        var embedding = Assert.Single(started, e => e.Info.StepKind == StepKinds.Embedding);
        Assert.Equal(root.RunId, embedding.ParentRunId);
    }

    [Fact]
    public void Constructor_IncludeVectorsRequested_NeverAsksTheStoreForVectors()
    {
        using var store = new Chains.Indexes.VectorStores.InMemoryVectorStore();
        var retriever = new VectorStoreRetriever(store, new BagOfWordsEmbeddingGenerator(), new VectorSearchOptions { Top = 7, IncludeVectors = true });

        Assert.False(retriever.SearchOptions.IncludeVectors);
        Assert.Equal(7, retriever.SearchOptions.Top);
        Assert.Same(store, retriever.Store);
    }

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        using var store = new Chains.Indexes.VectorStores.InMemoryVectorStore();
        Assert.Throws<ArgumentNullException>(() => new VectorStoreRetriever(null!, new BagOfWordsEmbeddingGenerator()));
        Assert.Throws<ArgumentNullException>(() => new VectorStoreRetriever(store, null!));
    }
}
