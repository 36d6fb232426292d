using Chains.Indexes;
using Chains.Indexes.Retrievers;
using Chains.Runnables;
using Chains.Tests.Fakes;

namespace Chains.Tests.Indexes.Retrievers;

public class ContextualCompressionRetrieverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_PassesInnerResultsAndQueryToTheCompressor()
    {
        var inner = new FakeRetriever(q => [new Document("a", "A"), new Document("b", "B")]);
        var compressor = new RecordingCompressor(docs => [docs[1]]);
        var retriever = new ContextualCompressionRetriever(inner, compressor);

        var documents = await retriever.InvokeAsync("question", cancellationToken: Ct);

        Assert.Equal(["b"], TestCorpus.Ids(documents));
        Assert.Equal("question", compressor.LastQuery);
        Assert.Equal(["a", "b"], TestCorpus.Ids(compressor.LastDocuments!));
    }

    [Fact]
    public async Task InvokeAsync_NothingRetrieved_SkipsTheCompressor()
    {
        var compressor = new RecordingCompressor(docs => docs);
        var retriever = new ContextualCompressionRetriever(new FakeRetriever(_ => []), compressor);

        Assert.Empty(await retriever.InvokeAsync("q", cancellationToken: Ct));
        Assert.Null(compressor.LastQuery);
    }

    [Fact]
    public async Task InvokeAsync_WithEventSink_NestsTheInnerRetriever()
    {
        var inner = new FakeRetriever(_ => [new Document("a", "A")]);
        var retriever = new ContextualCompressionRetriever(inner, new RecordingCompressor(d => d));
        var sink = new CollectingSink();

        await retriever.InvokeAsync("q", new RunOptions { EventSink = sink }, Ct);

        var started = sink.Events.OfType<RunStartedEvent>().ToArray();
        var root = Assert.Single(started, e => e.Name == nameof(ContextualCompressionRetriever));
        Assert.Equal(root.RunId, Assert.Single(started, e => e.Name == nameof(FakeRetriever)).ParentRunId);
    }

    [Fact]
    public async Task InvokeAsync_WithEmbeddingsFilter_DropsUnrelatedDocuments()
    {
        var inner = new FakeRetriever(_ => TestCorpus.English);
        var retriever = new ContextualCompressionRetriever(inner, new EmbeddingsFilter(new BagOfWordsEmbeddingGenerator(), 0.2));

        var documents = await retriever.InvokeAsync("dog fetches ball", cancellationToken: Ct);

        Assert.Equal(["dogs"], TestCorpus.Ids(documents));
    }

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new ContextualCompressionRetriever(null!, new RecordingCompressor(d => d)));
        Assert.Throws<ArgumentNullException>(() => new ContextualCompressionRetriever(new FakeRetriever(_ => []), null!));
    }

    private sealed class RecordingCompressor(Func<IReadOnlyList<Document>, IReadOnlyList<Document>> compress) : IDocumentCompressor
    {
        public string? LastQuery { get; private set; }

        public IReadOnlyList<Document>? LastDocuments { get; private set; }

        public ValueTask<IReadOnlyList<Document>> CompressAsync(string query, IReadOnlyList<Document> documents, CancellationToken cancellationToken = default)
        {
            LastQuery = query;
            LastDocuments = documents;
            return ValueTask.FromResult(compress(documents));
        }
    }
}
