using Chains.Indexes;
using Chains.Indexes.Indexing;
using Microsoft.Extensions.Time.Testing;

namespace Chains.Tests.Indexes.Indexing;

public sealed class IndexerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IndexAsync_NewDocuments_WritesEveryChunkAndACommittedRecord()
    {
        var f = new Fixture();

        var result = await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", new string('x', 25)), Docs.Make("b", "0123456789")), cancellationToken: Ct);

        Assert.Equal(2, result.DocumentsAdded);
        Assert.Equal(4, result.ChunksWritten);
        Assert.Equal(4, result.EmbeddedTexts);
        Assert.Equal(4, f.Store.Records.Count);
        var records = await f.Records.GetAsync(["a", "b"], Ct);
        Assert.All(records, r => Assert.False(r.IsPending));
        Assert.Equal(f.Store.Ids, records.SelectMany(r => r.ChunkIds).Order(StringComparer.Ordinal));
        Assert.All(f.Store.Ids, id => Assert.Matches(@"^[ab]#\d@[0-9a-f]{16}$", id));
    }

    [Fact]
    public async Task IndexAsync_UnchangedRerun_MakesZeroEmbeddingCallsAndNoWrites()
    {
        var f = new Fixture();
        Document[] corpus = [Docs.Make("a", "alpha beta gamma delta"), Docs.Make("b", "epsilon zeta")];
        await f.Indexer.IndexAsync(Docs.Stream(corpus), cancellationToken: Ct);
        var snapshot = f.Store.Snapshot;
        var (calls, upserts, splits) = (f.Embedder.Calls, f.Store.UpsertCalls, f.Splitter.Calls);

        var result = await f.Indexer.IndexAsync(Docs.Stream(corpus), cancellationToken: Ct);

        Assert.Equal(2, result.DocumentsSkipped);
        Assert.Equal(0, result.EmbeddingCalls);
        Assert.Equal(0, result.ChunksWritten);
        Assert.Equal(calls, f.Embedder.Calls);
        Assert.Equal(upserts, f.Store.UpsertCalls);
        Assert.Equal(splits, f.Splitter.Calls);
        Assert.Equal(snapshot, f.Store.Snapshot);
    }

    [Fact]
    public async Task IndexAsync_UnchangedThousandDocumentCorpus_MakesZeroEmbeddingCalls()
    {
        var f = new Fixture(IndexCleanupMode.Full, chunkSize: 50);
        var corpus = Enumerable.Range(0, 1_000).Select(i => Docs.Make($"docs/{i:D4}.md", $"Document {i} talks about topic {i % 37} in some detail; 第{i}篇文档。")).ToArray();
        var first = await f.Indexer.IndexAsync(Docs.Stream(corpus), cancellationToken: Ct);
        var callsAfterFirstRun = f.Embedder.Calls;

        var again = await f.Indexer.IndexAsync(Docs.Stream(corpus), cancellationToken: Ct);

        Assert.True(first.EmbeddingCalls > 0);
        Assert.Equal((1_000, 0, 0, 0), (again.DocumentsSkipped, again.EmbeddingCalls, again.EmbeddedTexts, again.ChunksWritten));
        Assert.Equal(callsAfterFirstRun, f.Embedder.Calls);
    }

    [Fact]
    public async Task IndexAsync_ChangedDocument_ReplacesItsChunksAndEmbedsOnlyChangedOnes()
    {
        var f = new Fixture();
        await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "0123456789abcdefghijKLMNO")), cancellationToken: Ct);
        var before = f.Store.Ids;

        var result = await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "0123456789abcdefghijZZZZZ")), cancellationToken: Ct);

        Assert.Equal(1, result.DocumentsUpdated);
        Assert.Equal(1, result.EmbeddedTexts);
        Assert.Equal(1, result.ChunksDeleted);
        Assert.Equal(["0123456789", "ZZZZZ", "abcdefghij"], f.Store.Snapshot.Select(s => s.Content).Order(StringComparer.Ordinal));
        Assert.Equal(2, before.Intersect(f.Store.Ids).Count());
        Assert.Equal(f.Store.Ids, (await f.Records.GetAsync(["a"], Ct))[0].ChunkIds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task IndexAsync_MetadataChanged_ReindexesDocument()
    {
        var f = new Fixture();
        await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "same text", new DocumentMetadata([new("lang", "en")]))), cancellationToken: Ct);

        var result = await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "same text", new DocumentMetadata([new("lang", "fr")]))), cancellationToken: Ct);

        Assert.Equal(1, result.DocumentsUpdated);
        Assert.Equal("fr", Assert.Single(f.Store.Records.Values).Document.Metadata.GetString("lang"));
    }

    [Fact]
    public async Task IndexAsync_FullMode_DeletesDocumentsNotSeen()
    {
        var f = new Fixture(IndexCleanupMode.Full);
        await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "first document"), Docs.Make("b", "second document")), cancellationToken: Ct);

        var result = await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "first document")), cancellationToken: Ct);

        Assert.Equal(1, result.DocumentsSkipped);
        Assert.Equal(1, result.DocumentsDeleted);
        Assert.Equal(2, result.ChunksDeleted);
        Assert.All(f.Store.Ids, id => Assert.StartsWith("a#", id, StringComparison.Ordinal));
        Assert.Empty(await f.Records.GetAsync(["b"], Ct));
    }

    [Fact]
    public async Task IndexAsync_IncrementalMode_KeepsDocumentsNotSeen()
    {
        var f = new Fixture(IndexCleanupMode.Incremental);
        await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "first"), Docs.Make("b", "second")), cancellationToken: Ct);

        var result = await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "first")), cancellationToken: Ct);

        Assert.Equal(0, result.DocumentsDeleted);
        Assert.Contains(f.Store.Ids, id => id.StartsWith("b#", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IndexAsync_NoneMode_KeepsOldChunksUntilAFullRunDeletesTheDocument()
    {
        var f = new Fixture(IndexCleanupMode.None);
        await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "v one")), cancellationToken: Ct);

        var result = await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "v two")), cancellationToken: Ct);

        Assert.Equal(0, result.ChunksDeleted);
        Assert.Equal(["v one", "v two"], f.Store.Snapshot.Select(s => s.Content).Order(StringComparer.Ordinal));
        var full = new Indexer(f.Store, f.Embedder, f.Splitter, f.Records, new IndexerOptions { Cleanup = IndexCleanupMode.Full });
        await full.IndexAsync(Docs.Stream(), cancellationToken: Ct);
        Assert.Empty(f.Store.Records);
    }

    [Fact]
    public async Task IndexAsync_CancelledMidRun_RerunConvergesWithoutDuplicates()
    {
        var corpus = Enumerable.Range(0, 20).Select(i => Docs.Make($"doc{i:D2}", string.Concat(Enumerable.Repeat($"text {i} ", i + 2)))).ToArray();
        var f = new Fixture(IndexCleanupMode.Full, batchSize: 4);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        f.Embedder.OnCall = (call, _) =>
        {
            if (call == 5)
            {
                cts.Cancel();
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => f.Indexer.IndexAsync(Docs.Stream(corpus), cancellationToken: cts.Token));
        Assert.Contains(await f.Records.ListAsync(Ct).ToListAsync(Ct), r => r.IsPending);
        f.Embedder.OnCall = null;
        await f.Indexer.IndexAsync(Docs.Stream(corpus), cancellationToken: Ct);

        var fresh = new Fixture(IndexCleanupMode.Full, batchSize: 4);
        await fresh.Indexer.IndexAsync(Docs.Stream(corpus), cancellationToken: Ct);
        Assert.Equal(fresh.Store.Snapshot, f.Store.Snapshot);
        Assert.All(f.Store.Ids.GroupBy(id => id[..id.IndexOf('@', StringComparison.Ordinal)]), g => Assert.Single(g));
        Assert.All(await f.Records.ListAsync(Ct).ToListAsync(Ct), r => Assert.False(r.IsPending));
        var third = await f.Indexer.IndexAsync(Docs.Stream(corpus), cancellationToken: Ct);
        Assert.Equal((20, 0), (third.DocumentsSkipped, third.EmbeddingCalls));
    }

    [Fact]
    public async Task IndexAsync_InterruptedUpdateThenContentReverted_RerunRemovesOrphanedChunks()
    {
        var f = new Fixture();
        var v1 = Docs.Make("a", "original text of the doc");
        await f.Indexer.IndexAsync(Docs.Stream(v1), cancellationToken: Ct);
        var original = f.Store.Snapshot;
        f.Store.BeforeDelete = _ => throw new IOException("crash before the stale chunks were deleted");

        await Assert.ThrowsAsync<IOException>(() => f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "an edited text of the doc")), cancellationToken: Ct));
        Assert.True((await f.Records.GetAsync(["a"], Ct))[0].IsPending);
        f.Store.BeforeDelete = null;
        var result = await f.Indexer.IndexAsync(Docs.Stream(v1), cancellationToken: Ct);

        Assert.Equal(1, result.DocumentsUpdated);
        Assert.Equal(original, f.Store.Snapshot);
        Assert.False((await f.Records.GetAsync(["a"], Ct))[0].IsPending);
    }

    [Fact]
    public async Task IndexAsync_CancelledAfterStaleDeleteThenContentReverted_RestoresTheDeletedChunk()
    {
        var f = new Fixture();
        var v1 = Docs.Make("a", "0123456789abcdefghijKLMNO");
        await f.Indexer.IndexAsync(Docs.Stream(v1), cancellationToken: Ct);
        var original = f.Store.Snapshot;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        f.Store.BeforeDelete = _ => cts.Cancel();

        // The truncation deletes the last chunk, then the cancellation stops the run before the record is final.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "0123456789abcdefghij")), cancellationToken: cts.Token));
        Assert.Equal(2, f.Store.Records.Count);
        f.Store.BeforeDelete = null;
        await f.Indexer.IndexAsync(Docs.Stream(v1), cancellationToken: Ct);

        Assert.Equal(original, f.Store.Snapshot);
    }

    [Fact]
    public async Task IndexAsync_FullCleanupInterruptedThenDocumentReturns_IndexesItAgain()
    {
        var f = new Fixture(IndexCleanupMode.Full);
        Document[] corpus = [Docs.Make("a", "first"), Docs.Make("b", "second")];
        await f.Indexer.IndexAsync(Docs.Stream(corpus), cancellationToken: Ct);
        var original = f.Store.Snapshot;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        f.Store.BeforeDelete = _ => cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => f.Indexer.IndexAsync(Docs.Stream(corpus[0]), cancellationToken: cts.Token));
        Assert.Single(f.Store.Records);
        f.Store.BeforeDelete = null;
        var result = await f.Indexer.IndexAsync(Docs.Stream(corpus), cancellationToken: Ct);

        Assert.Equal(1, result.DocumentsUpdated);
        Assert.Equal(original, f.Store.Snapshot);
    }

    [Fact]
    public async Task IndexAsync_FullModeStreamFails_DeletesNothing()
    {
        var f = new Fixture(IndexCleanupMode.Full);
        await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "first"), Docs.Make("b", "second")), cancellationToken: Ct);

        await Assert.ThrowsAsync<IOException>(() => f.Indexer.IndexAsync(Failing(Docs.Make("a", "first")), cancellationToken: Ct));

        Assert.Equal(2, f.Store.Records.Count);
        Assert.Equal(2, f.Records.Count);

        static async IAsyncEnumerable<Document> Failing(Document first)
        {
            yield return first;
            await Task.Yield();
            throw new IOException("the loader lost its connection");
        }
    }

    [Fact]
    public async Task IndexAsync_Progress_ReportsRatesFromTimeProvider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero));
        var f = new Fixture(batchSize: 2, time: time);
        f.Embedder.OnCall = (_, _) => time.Advance(TimeSpan.FromSeconds(1));
        var progress = new ListProgress<IndexingProgress>();

        var result = await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "one"), Docs.Make("b", "two"), Docs.Make("c", "three"), Docs.Make("d", "four")), progress, Ct);

        var last = progress.Reports[^1];
        Assert.Equal((4, 4, 4, TimeSpan.FromSeconds(2)), (last.Documents, last.Chunks, last.Embeddings, last.Elapsed));
        Assert.Equal((2.0, 2.0, 2.0), (last.DocumentsPerSecond, last.ChunksPerSecond, last.EmbeddingsPerSecond));
        Assert.Equal(TimeSpan.FromSeconds(2), result.Elapsed);
        Assert.True(progress.Reports.Count >= 3);
        Assert.Equal(progress.Reports.Select(r => r.Chunks).Order(), progress.Reports.Select(r => r.Chunks));
        var records = await f.Records.ListAsync(Ct).ToListAsync(Ct);
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 8, 0, 2, TimeSpan.Zero), records.Max(r => r.IndexedAt));
    }

    [Fact]
    public async Task IndexAsync_ChineseDocuments_ChunksKeepSpansAndOnlyEditedChunkIsEmbeddedAgain()
    {
        var f = new Fixture(chunkSize: 8);
        const string text = "向量数据库保存文档的嵌入向量。检索器根据问题找到最相关的段落。模型引用这些段落回答问题。";
        await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("中文/说明", text)), cancellationToken: Ct);
        Assert.All(f.Store.Records.Values, r => Assert.Equal(r.Document.Content, text.Substring(r.Document.Span!.Value.Start, r.Document.Span.Value.Length)));
        var edited = text.Replace("最相关", "最有用", StringComparison.Ordinal);

        var result = await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("中文/说明", edited)), cancellationToken: Ct);

        Assert.Equal((1, 1, 1), (result.DocumentsUpdated, result.EmbeddedTexts, result.ChunksDeleted));
        Assert.Equal(edited, string.Concat(f.Store.Records.Values.OrderBy(r => r.Document.Span!.Value.Start).Select(r => r.Document.Content)));
        Assert.Equal(0, (await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("中文/说明", edited)), cancellationToken: Ct)).EmbeddingCalls);
    }

    [Fact]
    public async Task IndexAsync_TransactionalStore_CommitsChunksAndRecordsTogether()
    {
        var inner = new ListVectorStore();
        var records = new InMemoryRecordManager();
        var store = new TransactionalListStore(inner, records);
        var embedder = new CountingEmbeddingGenerator();
        var indexer = new Indexer(store, embedder, new FixedSizeSplitter(10), records, new IndexerOptions { Cleanup = IndexCleanupMode.Full, BatchSize = 2 });

        await indexer.IndexAsync(Docs.Stream(Docs.Make("a", "first"), Docs.Make("b", "second"), Docs.Make("c", "third")), cancellationToken: Ct);
        await indexer.IndexAsync(Docs.Stream(Docs.Make("a", "first, edited"), Docs.Make("b", "second")), cancellationToken: Ct);

        Assert.Equal(4, store.Commits.Count);
        Assert.All(store.Commits.Take(2).SelectMany(c => c), c => Assert.False(c.Record!.IsPending));
        Assert.Null(Assert.Single(store.Commits[3]).Record);
        Assert.Equal(["first, edi", "second", "ted"], inner.Snapshot.Select(s => s.Content).Order(StringComparer.Ordinal));
        Assert.Equal(inner.Ids, (await records.ListAsync(Ct).ToListAsync(Ct)).SelectMany(r => r.ChunkIds).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task IndexAsync_Loader_IndexesWhatItLoads()
    {
        var f = new Fixture();

        var result = await f.Indexer.IndexAsync(new ListLoader(Docs.Make("a", "from a loader")), cancellationToken: Ct);

        Assert.Equal(1, result.DocumentsAdded);
        Assert.Equal(["der", "from a loa"], f.Store.Snapshot.Select(s => s.Content).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task IndexAsync_BatchSize_NoEmbeddingCallHoldsMoreTexts()
    {
        var f = new Fixture(batchSize: 4);

        var result = await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", new string('a', 50)), Docs.Make("b", new string('b', 50)), Docs.Make("c", new string('c', 50))), cancellationToken: Ct);

        Assert.Equal(15, result.EmbeddedTexts);
        Assert.Equal(4, result.EmbeddingCalls);
        Assert.Equal(4, f.Embedder.MaxTextsPerCall);
    }

    [Fact]
    public async Task IndexAsync_SameIdTwiceInOneRun_LastVersionWins()
    {
        var f = new Fixture();

        await f.Indexer.IndexAsync(Docs.Stream(Docs.Make("a", "older"), Docs.Make("a", "newer")), cancellationToken: Ct);

        Assert.Equal("newer", Assert.Single(f.Store.Records.Values).Document.Content);
        Assert.Equal(f.Store.Ids, Assert.Single(await f.Records.ListAsync(Ct).ToListAsync(Ct)).ChunkIds);
    }

    [Fact]
    public async Task IndexAsync_FileRecordManagerReopened_SkipsUnchangedDocuments()
    {
        var path = Path.Combine(Path.GetTempPath(), $"chains-indexer-{Guid.NewGuid():N}.jsonl");
        try
        {
            var store = new ListVectorStore();
            var embedder = new CountingEmbeddingGenerator();
            Document[] corpus = [Docs.Make("a", "persisted records"), Docs.Make("b", "survive restarts")];
            using (var records = new FileRecordManager(path))
            {
                await new Indexer(store, embedder, new FixedSizeSplitter(10), records).IndexAsync(Docs.Stream(corpus), cancellationToken: Ct);
            }

            using var reopened = new FileRecordManager(path);
            var result = await new Indexer(store, embedder, new FixedSizeSplitter(10), reopened).IndexAsync(Docs.Stream(corpus), cancellationToken: Ct);

            Assert.Equal((2, 0), (result.DocumentsSkipped, result.EmbeddingCalls));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Constructor_BatchSizeZero_ThrowsNamingTheValue()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Indexer(new ListVectorStore(), new CountingEmbeddingGenerator(), new FixedSizeSplitter(10), new InMemoryRecordManager(), new IndexerOptions { BatchSize = 0 }));

        Assert.Contains("BatchSize is 0", ex.Message, StringComparison.Ordinal);
    }

    private sealed class Fixture
    {
        public Fixture(IndexCleanupMode cleanup = IndexCleanupMode.Incremental, int batchSize = 64, int chunkSize = 10, TimeProvider? time = null)
        {
            Splitter = new FixedSizeSplitter(chunkSize);
            Indexer = new Indexer(Store, Embedder, Splitter, Records, new IndexerOptions { Cleanup = cleanup, BatchSize = batchSize, TimeProvider = time });
        }

        public ListVectorStore Store { get; } = new();

        public InMemoryRecordManager Records { get; } = new();

        public CountingEmbeddingGenerator Embedder { get; } = new();

        public FixedSizeSplitter Splitter { get; }

        public Indexer Indexer { get; }
    }

    private sealed class ListLoader(params Document[] documents) : IDocumentLoader
    {
        public IAsyncEnumerable<Document> LoadAsync(CancellationToken cancellationToken = default) => Docs.Stream(documents);
    }
}
