using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Chains.Indexes;
using Chains.Indexes.Retrievers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Chains.Tests.Indexes.Retrievers;

public class VectorStoreCollectionRetrieverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_NoGenerator_PassesTheTextAndMapsRecords()
    {
        var collection = new FakeCollection();
        var retriever = collection.AsRetriever(r => new Document(r.Key, r.Text), new VectorStoreCollectionRetrieverOptions<Note> { Top = 2 });

        var documents = await retriever.InvokeAsync("高铁要多久", cancellationToken: Ct);

        Assert.Equal("高铁要多久", collection.LastSearchValue);
        Assert.Equal(2, collection.LastTop);
        Assert.Equal(["train", "weather"], TestCorpus.Ids(documents));
        Assert.Equal("高铁从上海到北京大约需要四个半小时。", documents[0].Content);
    }

    [Fact]
    public async Task InvokeAsync_WithGenerator_SearchesByTheEmbeddedVector()
    {
        var collection = new FakeCollection();
        var generator = new BagOfWordsEmbeddingGenerator();
        var retriever = collection.AsRetriever(r => new Document(r.Key, r.Text), new VectorStoreCollectionRetrieverOptions<Note> { EmbeddingGenerator = generator });

        await retriever.InvokeAsync("question", cancellationToken: Ct);

        var vector = Assert.IsType<ReadOnlyMemory<float>>(collection.LastSearchValue);
        Assert.Equal(BagOfWordsEmbeddingGenerator.Embed("question"), vector.ToArray());
        Assert.Equal(1, generator.Calls);
    }

    [Fact]
    public async Task InvokeAsync_OptionsReachTheCollection()
    {
        var collection = new FakeCollection();
        Expression<Func<Note, bool>> filter = n => n.Key != "weather";
        var retriever = collection.AsRetriever(r => new Document(r.Key, r.Text), new VectorStoreCollectionRetrieverOptions<Note> { Filter = filter, ScoreThreshold = 0.4, Top = 3 });

        var documents = await retriever.InvokeAsync("q", cancellationToken: Ct);

        Assert.Same(filter, collection.LastOptions!.Filter);
        Assert.Equal(0.4, collection.LastOptions.ScoreThreshold);
        Assert.Equal(["train", "cooking"], TestCorpus.Ids(documents));
    }

    [Fact]
    public async Task InvokeAsync_MapReturnsNull_ThrowsNamingTheCollection()
    {
        var retriever = new FakeCollection().AsRetriever(_ => null!);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await retriever.InvokeAsync("q", cancellationToken: Ct));

        Assert.Contains("notes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AsRetriever_InvalidArguments_Throw()
    {
        var collection = new FakeCollection();
        Assert.Throws<ArgumentNullException>(() => collection.AsRetriever(null!));
        Assert.Throws<ArgumentNullException>(() => ((VectorStoreCollection<string, Note>)null!).AsRetriever(r => new Document(r.Key, r.Text)));
        Assert.Throws<ArgumentOutOfRangeException>(() => collection.AsRetriever(r => new Document(r.Key, r.Text), new VectorStoreCollectionRetrieverOptions<Note> { Top = 0 }));
    }

    public sealed record Note(string Key, string Text);

    /// <summary>A hand-written collection: search returns its notes in order (filtered by the compiled filter), records the call.</summary>
    private sealed class FakeCollection : VectorStoreCollection<string, Note>
    {
        private static readonly Note[] Notes =
        [
            new("train", "高铁从上海到北京大约需要四个半小时。"),
            new("weather", "今天北京的天气晴朗。"),
            new("cooking", "红烧肉需要慢火炖煮。"),
        ];

        public object? LastSearchValue { get; private set; }

        public int LastTop { get; private set; }

        public VectorSearchOptions<Note>? LastOptions { get; private set; }

        public override string Name => "notes";

        public override async IAsyncEnumerable<VectorSearchResult<Note>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<Note>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            LastSearchValue = searchValue;
            LastTop = top;
            LastOptions = options;
            var filter = options?.Filter?.Compile() ?? (_ => true);
            await Task.Yield();
            foreach (var note in Notes.Where(filter).Take(top))
            {
                yield return new VectorSearchResult<Note>(note, 0.5);
            }
        }

        public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);

        public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public override Task<Note?> GetAsync(string key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(Notes.FirstOrDefault(n => n.Key == key));

        public override IAsyncEnumerable<Note> GetAsync(Expression<Func<Note, bool>> filter, int top, FilteredRecordRetrievalOptions<Note>? options = null, CancellationToken cancellationToken = default)
            => Notes.Where(filter.Compile()).Take(top).ToAsyncEnumerable();

        public override Task DeleteAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override Task UpsertAsync(Note record, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override Task UpsertAsync(IEnumerable<Note> records, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override object? GetService(Type serviceType, object? serviceKey = null) => null;
    }
}
