using Chains.Indexes;
using Chains.Indexes.VectorStores;
using Chains.Testing.VectorStores;

namespace Chains.Tests.Indexes.VectorStores;

public sealed class InMemoryVectorStoreTests : VectorStoreContractTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "chains-vs-" + Guid.NewGuid().ToString("N"));

    public InMemoryVectorStoreTests() => Directory.CreateDirectory(_folder);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    protected override Task<IVectorStore> CreateStoreAsync(int dimension)
        => Task.FromResult<IVectorStore>(new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = dimension }));

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Constructor_DimensionBelowOne_ThrowsNamingTheOption(int dimension)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = dimension }));

        Assert.Contains("Dimension", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UndefinedDistance_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryVectorStore(new InMemoryVectorStoreOptions { Distance = (VectorDistance)42 }));

    [Fact]
    public async Task UpsertAsync_NoDimensionConfigured_TakesTheFirstAndThenRejectsOthers()
    {
        using var store = new InMemoryVectorStore();
        Assert.Null(store.Dimension);
        Assert.Empty(await store.SearchAsync(new float[] { 1, 2 }, null, Ct));

        await store.UpsertAsync([Record("a", "a", [1, 0, 0])], Ct);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync([Record("b", "b", [1, 0])], Ct));

        Assert.Equal(3, store.Dimension);
        Assert.Equal(1, store.Count);
        Assert.Contains("id 'b'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertAsync_DeleteEverything_KeepsTheDimension()
    {
        using var store = new InMemoryVectorStore();
        await store.UpsertAsync([Record("a", "a", [1, 0, 0])], Ct);

        await store.DeleteAsync(VectorSelection.ByIds("a"), Ct);

        Assert.Equal(3, store.Dimension);
        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync([Record("b", "b", [1, 0])], Ct));
    }

    [Fact]
    public async Task UpsertAsync_NaNInVector_ThrowsAndWritesNothing()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 2 });

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync([Record("ok", "ok", [1, 0]), Record("bad", "bad", [float.NaN, 1])], Ct));

        Assert.Contains("'bad'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task SearchAsync_InfiniteQuery_Throws()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 2 });
        await store.UpsertAsync([Record("a", "a", [1, 0])], Ct);

        await Assert.ThrowsAsync<ArgumentException>(() => store.SearchAsync(new float[] { float.PositiveInfinity, 0 }, null, Ct));
    }

    [Fact]
    public async Task SearchAsync_DotProduct_ScoresAreRawDotProducts()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 2, Distance = VectorDistance.DotProduct });
        await store.UpsertAsync([Record("long", "long", [3, 4]), Record("unit", "unit", [1, 0])], Ct);

        var results = await store.SearchAsync(new float[] { 2, 0 }, new VectorSearchOptions { Top = 5, IncludeVectors = true }, Ct);

        Assert.Equal(["long", "unit"], Ids(results));
        Assert.Equal(6.0, results[0].Score, 1e-5);
        Assert.Equal(2.0, results[1].Score, 1e-5);
        Assert.Equal([3f, 4f], results[0].Vector.ToArray());
    }

    [Fact]
    public async Task SearchAsync_Euclidean_ScoreIsOneOverOnePlusDistance()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 2, Distance = VectorDistance.Euclidean });
        await store.UpsertAsync([Record("far", "far", [3, 4]), Record("same", "same", [0, 0]), Record("near", "near", [1, 0])], Ct);

        var results = await store.SearchAsync(new float[] { 0, 0 }, new VectorSearchOptions { Top = 5, MinScore = 0.2 }, Ct);

        Assert.Equal(["same", "near"], Ids(results));
        Assert.Equal(1.0, results[0].Score, 1e-6);
        Assert.Equal(0.5, results[1].Score, 1e-6);
    }

    [Fact]
    public async Task SearchAsync_CosineWithZeroQuery_ScoresZeroInsteadOfNaN()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 2 });
        await store.UpsertAsync([Record("a", "a", [1, 0]), Record("zero", "zero", [0, 0])], Ct);

        var results = await store.SearchAsync(new float[] { 0, 0 }, new VectorSearchOptions { Top = 5 }, Ct);

        Assert.Equal(["a", "zero"], Ids(results));
        Assert.All(results, r => Assert.Equal(0.0, r.Score));
    }

    [Fact]
    public async Task SearchAsync_EqualScores_KeepInsertionOrder()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 2 });
        await store.UpsertAsync(Enumerable.Range(0, 10).Select(i => Record($"t{i}", "t", [1, 1])).ToArray(), Ct);

        var results = await store.SearchAsync(new float[] { 1, 1 }, new VectorSearchOptions { Top = 3 }, Ct);

        Assert.Equal(["t0", "t1", "t2"], Ids(results));
    }

    [Fact]
    public async Task DeleteAsync_MiddleRows_RemainingRecordsKeepTheirVectors()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 8 });
        var records = Enumerable.Range(0, 50).Select(i => Record($"r{i}", $"content {i}", OneHot(i % 8, i))).ToArray();
        await store.UpsertAsync(records, Ct);

        Assert.Equal(10, await store.DeleteAsync(VectorSelection.ByIds(Enumerable.Range(0, 50).Where(i => i % 5 == 0).Select(i => $"r{i}")), Ct));

        Assert.Equal(40, store.Count);
        foreach (var record in records.Where((_, i) => i % 5 != 0))
        {
            var results = await store.SearchAsync(record.Vector, new VectorSearchOptions { Top = 50, IncludeVectors = true }, Ct);
            var hit = results.Single(r => r.Document.Id == record.Document.Id);
            Assert.Equal(record.Document.Content, hit.Document.Content);
            Assert.Equal(1.0, hit.Score, 1e-5);
        }
    }

    [Fact]
    public async Task UpsertAsync_ManyBatches_GrowsAndFindsEveryRecord()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 16 });
        var random = new Random(7);
        var all = new List<VectorRecord>();
        for (var batch = 0; batch < 20; batch++)
        {
            var records = Enumerable.Range(0, 37).Select(i => new VectorRecord(new Document($"b{batch}-{i}", "x"), Random(random, 16))).ToArray();
            await store.UpsertAsync(records, Ct);
            all.AddRange(records);
        }

        Assert.Equal(740, store.Count);
        foreach (var record in all.Where((_, i) => i % 23 == 0))
        {
            var best = (await store.SearchAsync(record.Vector, new VectorSearchOptions { Top = 1 }, Ct))[0];
            Assert.Equal(record.Document.Id, best.Document.Id);
        }
    }

    [Fact]
    public async Task SearchAsync_TopK_MatchesAFullSortOfCosineScores()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 32 });
        var random = new Random(3);
        var records = Enumerable.Range(0, 1000).Select(i => new VectorRecord(new Document($"r{i}", "x"), Random(random, 32))).ToArray();
        await store.UpsertAsync(records, Ct);
        var query = Random(random, 32);

        var results = await store.SearchAsync(query, new VectorSearchOptions { Top = 25 }, Ct);

        var expected = records
            .Select(r => (r.Document.Id, Score: Cosine(r.Vector.Span, query)))
            .OrderByDescending(x => x.Score)
            .Take(25)
            .Select(x => x.Id);
        Assert.Equal(expected, Ids(results));
    }

    [Fact]
    public async Task Operations_ConcurrentUpsertsAndSearches_AllRecordsStoredAndSearchesConsistent()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 8 });
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(
            async () =>
            {
                for (var i = 0; i < 50; i++)
                {
                    await store.UpsertAsync([Record($"w{w}-{i}", "x", OneHot(w, i + 1))], Ct);
                }
            },
            Ct));
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(
            async () =>
            {
                for (var i = 0; i < 100; i++)
                {
                    var results = await store.SearchAsync(OneHot(r, 1), new VectorSearchOptions { Top = 5 }, Ct);
                    Assert.True(results.Count <= 5);
                    Assert.All(results, x => Assert.False(double.IsNaN(x.Score)));
                }
            },
            Ct));

        await Task.WhenAll(writers.Concat(readers));

        Assert.Equal(400, store.Count);
        var forWriter3 = await store.SearchAsync(OneHot(3, 1), new VectorSearchOptions { Top = 50, Filter = null }, Ct);
        Assert.All(forWriter3, r => Assert.StartsWith("w3-", r.Document.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SaveAsync_ThenLoadAsync_RestoresDocumentsVectorsAndSettings()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = Dimension, Distance = VectorDistance.DotProduct });
        await store.UpsertAsync(FilterCorpus(), Ct);
        var chinese = new Document("中文", "向量数据库把嵌入存起来。🚀", new DocumentMetadata([new("标题", "简介"), new("页", 3)]), "资料/简介.md", new SourceSpan(5, 14));
        await store.UpsertAsync([new VectorRecord(chinese, new float[] { 0.25f, -1.5f, 3e-8f, 1e6f })], Ct);
        var path = Path.Combine(_folder, "store.chvs");

        await store.SaveAsync(path, Ct);
        using var loaded = await InMemoryVectorStore.LoadAsync(path, Ct);

        Assert.Equal(VectorDistance.DotProduct, loaded.Distance);
        Assert.Equal(Dimension, loaded.Dimension);
        Assert.Equal(6, loaded.Count);
        var options = new VectorSearchOptions { Top = 10, IncludeVectors = true };
        var before = await store.SearchAsync(Query, options, Ct);
        var after = await loaded.SearchAsync(Query, options, Ct);
        Assert.Equal(before.Select(r => (r.Document, r.Score)), after.Select(r => (r.Document, r.Score)));
        Assert.Equal(before.Select(r => r.Vector.ToArray()), after.Select(r => r.Vector.ToArray()));
        Assert.Equal(chinese, after.Single(r => r.Document.Id == "中文").Document);
        Assert.Equal(["b", "c"], Ids(await loaded.SearchAsync(Query, new VectorSearchOptions { Top = 10, Filter = MetadataFilter.Eq("lang", "zh") }, Ct)).Order());
    }

    [Fact]
    public async Task LoadAsync_ThenUpsertAndDelete_StoreIsFullyUsable()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = Dimension });
        await store.UpsertAsync(FilterCorpus(), Ct);
        var path = Path.Combine(_folder, "store.chvs");
        await store.SaveAsync(path, Ct);

        using var loaded = await InMemoryVectorStore.LoadAsync(path, Ct);
        await loaded.UpsertAsync([Record("a", "replaced", [0, 0, 0, 1]), Record("f", "new", [0, 1, 0, 0])], Ct);
        Assert.Equal(1, await loaded.DeleteAsync(VectorSelection.ByIds("b"), Ct));

        Assert.Equal(5, loaded.Count);
        Assert.Equal("replaced", (await loaded.SearchAsync(new float[] { 0, 0, 0, 1 }, null, Ct))[0].Document.Content);
    }

    [Fact]
    public async Task SaveAsync_OverExistingFile_ReplacesItAndLeavesNoTemporaryFiles()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 2 });
        var path = Path.Combine(_folder, "store.chvs");
        await store.UpsertAsync([Record("a", "first", [1, 0])], Ct);
        await store.SaveAsync(path, Ct);

        await store.UpsertAsync([Record("b", "second", [0, 1])], Ct);
        await store.SaveAsync(path, Ct);

        using var loaded = await InMemoryVectorStore.LoadAsync(path, Ct);
        Assert.Equal(2, loaded.Count);
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task SaveAsync_CancelledToken_KeepsThePreviousFile()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 2 });
        var path = Path.Combine(_folder, "store.chvs");
        await store.UpsertAsync([Record("a", "first", [1, 0])], Ct);
        await store.SaveAsync(path, Ct);
        await store.UpsertAsync([Record("b", "second", [0, 1])], Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SaveAsync(path, cancelled.Token));

        using var loaded = await InMemoryVectorStore.LoadAsync(path, Ct);
        Assert.Equal(1, loaded.Count);
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task SaveAsync_EmptyStoreWithoutDimension_LoadsEmptyAndTakesDimensionLater()
    {
        using var store = new InMemoryVectorStore();
        var path = Path.Combine(_folder, "empty.chvs");

        await store.SaveAsync(path, Ct);
        using var loaded = await InMemoryVectorStore.LoadAsync(path, Ct);

        Assert.Equal(0, loaded.Count);
        Assert.Null(loaded.Dimension);
        await loaded.UpsertAsync([Record("a", "a", [1, 2, 3])], Ct);
        Assert.Equal(3, loaded.Dimension);
    }

    [Fact]
    public async Task LoadAsync_TruncatedFile_ThrowsNamingTheFileAndTheTornWrite()
    {
        var path = await SaveCorpusAsync();
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length - 50)], Ct);

        var ex = await Assert.ThrowsAsync<VectorStoreFileException>(() => InMemoryVectorStore.LoadAsync(path, Ct));

        Assert.Equal(path, ex.FilePath);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_FileCutInsideTheHeader_ThrowsTruncated()
    {
        var path = await SaveCorpusAsync();
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        await File.WriteAllBytesAsync(path, bytes[..10], Ct);

        var ex = await Assert.ThrowsAsync<VectorStoreFileException>(() => InMemoryVectorStore.LoadAsync(path, Ct));

        Assert.Contains("truncated", ex.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.9)]
    public async Task LoadAsync_OneByteFlipped_ThrowsChecksumMismatch(double where)
    {
        var path = await SaveCorpusAsync();
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        var at = 24 + (int)((bytes.Length - 24 - 32) * where);
        bytes[at] ^= 0x10;
        await File.WriteAllBytesAsync(path, bytes, Ct);

        var ex = await Assert.ThrowsAsync<VectorStoreFileException>(() => InMemoryVectorStore.LoadAsync(path, Ct));

        Assert.Equal(path, ex.FilePath);
        Assert.Contains("checksum", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_TrailingBytes_ThrowsNamingThem()
    {
        var path = await SaveCorpusAsync();
        await using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write([1, 2, 3]);
        }

        var ex = await Assert.ThrowsAsync<VectorStoreFileException>(() => InMemoryVectorStore.LoadAsync(path, Ct));

        Assert.Contains("3 unexpected trailing bytes", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_NotAVectorStoreFile_ThrowsSignatureProblem()
    {
        var path = Path.Combine(_folder, "notes.txt");
        await File.WriteAllTextAsync(path, "这不是向量库文件, just text that is long enough to have a header and more.", Ct);

        var ex = await Assert.ThrowsAsync<VectorStoreFileException>(() => InMemoryVectorStore.LoadAsync(path, Ct));

        Assert.Contains("signature", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_MissingFile_ThrowsFileNotFound()
        => await Assert.ThrowsAsync<FileNotFoundException>(() => InMemoryVectorStore.LoadAsync(Path.Combine(_folder, "missing.chvs"), Ct));

    [Fact]
    public async Task Dispose_ThenAnyOperation_ThrowsObjectDisposed()
    {
        var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = 2 });
        store.Dispose();
        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.UpsertAsync([Record("a", "a", [1, 0])], Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.SearchAsync(new float[] { 1, 0 }, null, Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.DeleteAsync(VectorSelection.ByIds("a"), Ct));
    }

    private async Task<string> SaveCorpusAsync()
    {
        using var store = new InMemoryVectorStore(new InMemoryVectorStoreOptions { Dimension = Dimension });
        await store.UpsertAsync(FilterCorpus(), Ct);
        var path = Path.Combine(_folder, "corpus.chvs");
        await store.SaveAsync(path, Ct);
        return path;
    }

    private static float[] OneHot(int index, float value, int dimension = 8)
    {
        var vector = new float[dimension];
        vector[index] = value;
        return vector;
    }

    private static float[] Random(Random random, int dimension)
        => Enumerable.Range(0, dimension).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();

    private static double Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double dot = 0, xx = 0, yy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            dot += x[i] * y[i];
            xx += x[i] * x[i];
            yy += y[i] * y[i];
        }

        return dot / Math.Sqrt(xx * yy);
    }
}
