using Chains.Indexes;

namespace Chains.Testing.VectorStores;

/// <summary>
/// The behaviour every <see cref="IVectorStore"/> must have. A back end's test project derives from this class and
/// implements <see cref="CreateStoreAsync"/>; every test here then runs against that back end.
/// </summary>
/// <remarks>Stores are created with cosine distance (the default of every Chains store): the tests check cosine scores.
/// Each test creates its own stores; stores that are <see cref="IAsyncDisposable"/> or <see cref="IDisposable"/> are
/// disposed after the test.</remarks>
public abstract class VectorStoreContractTests : IAsyncLifetime
{
    /// <summary>The dimension of the stores most tests create.</summary>
    protected const int Dimension = 4;

    private const double Tolerance = 1e-4;

    private static readonly DateTimeOffset Jun2020 = new(2020, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Mar2021Beijing = new(2021, 3, 15, 8, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateTimeOffset Jan2023 = new(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<IVectorStore> _stores = [];

    /// <summary>Gets the filters of <see cref="SearchAsync_Filter_ReturnsExactlyTheMatchingDocuments"/> with the ids of
    /// the <see cref="FilterCorpus"/> documents each must select.</summary>
    public static TheoryData<string, MetadataFilter, string[]> Filters => new()
    {
        { "eq string", MetadataFilter.Eq("lang", "zh"), ["b", "c"] },
        { "eq Chinese string", MetadataFilter.Eq("city", "北京"), ["a", "c"] },
        { "eq bool", MetadataFilter.Eq("draft", true), ["b"] },
        { "eq long stored, double asked", MetadataFilter.Eq("rating", 5.0), ["c"] },
        { "eq double stored, long asked", MetadataFilter.Eq("rating", 3L), ["b"] },
        { "eq int widened", MetadataFilter.Eq("year", 2020), ["a"] },
        { "eq date, other offset, same instant", MetadataFilter.Eq("published", new DateTimeOffset(2021, 3, 15, 0, 0, 0, TimeSpan.Zero)), ["b"] },
        { "ne includes missing keys", MetadataFilter.Ne("lang", "zh"), ["a", "d", "e"] },
        { "ne on list excludes any element", MetadataFilter.Ne("tags", "ai"), ["b", "c", "e"] },
        { "in strings", MetadataFilter.In("lang", "en", "fr"), ["a", "d"] },
        { "in numbers mixed", MetadataFilter.In("year", 2021L, 2023.0), ["b", "c"] },
        { "eq on list matches any element", MetadataFilter.Eq("tags", "ai"), ["a", "d"] },
        { "in on list", MetadataFilter.In("tags", "db", "zz"), ["a", "b"] },
        { "range inclusive", MetadataFilter.Range("year", 2020, 2021), ["a", "b"] },
        { "range exclusive", MetadataFilter.Range("year", 2020, 2023, minInclusive: false, maxInclusive: false), ["b"] },
        { "range long bounds over doubles", MetadataFilter.Range("rating", 3L, 4L), ["b"] },
        { "range double bounds over longs", MetadataFilter.Range("year", 2020.5, 2023.0), ["b", "c"] },
        { "gt", MetadataFilter.Gt("year", 2020), ["b", "c"] },
        { "gte double over long and double", MetadataFilter.Gte("rating", 4.5), ["a", "c"] },
        { "lt", MetadataFilter.Lt("rating", 4.5), ["b"] },
        { "lte", MetadataFilter.Lte("rating", 4.5), ["a", "b"] },
        { "date range", MetadataFilter.Gte("published", new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero)), ["b", "c"] },
        { "date range across offsets", MetadataFilter.Range("published", Jun2020, new DateTimeOffset(2021, 3, 15, 1, 0, 0, TimeSpan.FromHours(1))), ["a", "b"] },
        { "string range (ordinal)", MetadataFilter.Range("lang", "en", "fr"), ["a", "d"] },
        { "exists", MetadataFilter.Exists("year"), ["a", "b", "c"] },
        { "exists ignores null values", MetadataFilter.Exists("note"), [] },
        { "and", MetadataFilter.Eq("lang", "zh") & MetadataFilter.Gte("year", 2022), ["c"] },
        { "or", MetadataFilter.Eq("lang", "en") | MetadataFilter.Eq("draft", true), ["a", "b"] },
        { "not (missing key matches)", !MetadataFilter.Eq("lang", "zh"), ["a", "d", "e"] },
        { "nested and/or/not", MetadataFilter.Or(MetadataFilter.And(MetadataFilter.Eq("lang", "zh"), MetadataFilter.Not(MetadataFilter.Eq("city", "北京"))), MetadataFilter.Eq("lang", "fr")), ["b", "d"] },
        { "not of or", MetadataFilter.Not(MetadataFilter.Or(MetadataFilter.Eq("lang", "zh"), MetadataFilter.Eq("lang", "en"))), ["d", "e"] },
        { "and of three with range and list", MetadataFilter.And(MetadataFilter.Eq("tags", "db"), MetadataFilter.Range("year", 2019, 2022), MetadataFilter.Not(MetadataFilter.Eq("draft", true))), ["a"] },
        { "no document matches", MetadataFilter.Eq("lang", "de"), [] },
    };

    /// <summary>Creates an empty store for vectors of <paramref name="dimension"/> dimensions, with cosine distance.</summary>
    /// <param name="dimension">The vector dimension.</param>
    /// <returns>The store.</returns>
    protected abstract Task<IVectorStore> CreateStoreAsync(int dimension);

    /// <inheritdoc />
    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            if (store is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else if (store is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task UpsertAsync_NewRecords_SearchReturnsThem()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("a", "alpha", [1, 0, 0, 0]), Record("b", "beta", [0, 1, 0, 0])], Ct);

        var results = await store.SearchAsync(new float[] { 0, 1, 0, 0 }, new VectorSearchOptions { Top = 10 }, Ct);

        Assert.Equal(["b", "a"], Ids(results));
        Assert.Equal("beta", results[0].Document.Content);
    }

    [Fact]
    public async Task UpsertAsync_ExistingId_ReplacesDocumentAndVector()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("a", "old", [1, 0, 0, 0]), Record("b", "other", [0, 0, 1, 0])], Ct);

        await store.UpsertAsync([Record("a", "new", [0, 1, 0, 0])], Ct);

        var results = await store.SearchAsync(new float[] { 0, 1, 0, 0 }, new VectorSearchOptions { Top = 10 }, Ct);
        Assert.Equal(["a", "b"], Ids(results));
        Assert.Equal("new", results[0].Document.Content);
        Assert.Equal(1.0, results[0].Score, Tolerance);
    }

    [Fact]
    public async Task UpsertAsync_SameIdTwiceInOneCall_LastOneWins()
    {
        var store = await NewStoreAsync();

        await store.UpsertAsync([Record("a", "first", [1, 0, 0, 0]), Record("a", "second", [0, 1, 0, 0])], Ct);

        var results = await store.SearchAsync(new float[] { 0, 1, 0, 0 }, new VectorSearchOptions { Top = 10 }, Ct);
        var only = Assert.Single(results);
        Assert.Equal("second", only.Document.Content);
        Assert.Equal(1.0, only.Score, Tolerance);
    }

    [Fact]
    public async Task UpsertAsync_OneVectorOfWrongDimension_ThrowsArgumentExceptionAndWritesNothing()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("keep", "kept", [1, 0, 0, 0])], Ct);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpsertAsync([Record("new", "valid", [0, 1, 0, 0]), Record("keep", "replaced?", [1, 0, 0])], Ct));

        var results = await store.SearchAsync(new float[] { 1, 1, 0, 0 }, new VectorSearchOptions { Top = 10 }, Ct);
        var only = Assert.Single(results);
        Assert.Equal("kept", only.Document.Content);
    }

    [Fact]
    public async Task UpsertAsync_NullRecord_ThrowsArgumentExceptionAndWritesNothing()
    {
        var store = await NewStoreAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpsertAsync([Record("a", "valid", [1, 0, 0, 0]), null!], Ct));

        Assert.Empty(await store.SearchAsync(new float[] { 1, 0, 0, 0 }, new VectorSearchOptions { Top = 10 }, Ct));
    }

    [Fact]
    public async Task UpsertAsync_EmptyList_WritesNothing()
    {
        var store = await NewStoreAsync();

        await store.UpsertAsync([], Ct);

        Assert.Empty(await store.SearchAsync(new float[] { 1, 0, 0, 0 }, null, Ct));
    }

    [Fact]
    public async Task UpsertAsync_TypedMetadataChineseContentSourceAndSpan_RoundTripUnchanged()
    {
        var store = await NewStoreAsync();
        var metadata = new DocumentMetadata(new Dictionary<string, object?>
        {
            ["title"] = "向量数据库简介",
            ["lang"] = "zh",
            ["draft"] = false,
            ["year"] = 2024L,
            ["rating"] = 3.0,
            ["ratio"] = 0.25,
            ["published"] = Mar2021Beijing,
            ["tags"] = new[] { "数据库", "ai" },
            ["note"] = null,
        });
        var document = new Document("文档-1", "向量数据库把文本的嵌入向量存起来，按相似度检索。Emoji 🚀 too.", metadata, "docs/简介.md", new SourceSpan(10, 33));

        await store.UpsertAsync([new VectorRecord(document, new float[] { 0.5f, 0.5f, 0, 0 })], Ct);

        var found = Assert.Single(await store.SearchAsync(new float[] { 1, 1, 0, 0 }, null, Ct)).Document;
        Assert.Equal(document, found);
        Assert.IsType<long>(found.Metadata["year"]);
        Assert.IsType<double>(found.Metadata["rating"]);
        Assert.IsType<bool>(found.Metadata["draft"]);
        Assert.Equal(Mar2021Beijing.UtcDateTime, Assert.IsType<DateTimeOffset>(found.Metadata["published"]).UtcDateTime);
        Assert.Equal(["数据库", "ai"], Assert.IsType<string[]>(found.Metadata["tags"]));
        Assert.True(found.Metadata.ContainsKey("note"));
        Assert.Null(found.Metadata["note"]);
    }

    [Fact]
    public async Task DeleteAsync_ByIds_RemovesThemAndCountsOnlyExistingOnes()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("a", "a", [1, 0, 0, 0]), Record("b", "b", [0, 1, 0, 0]), Record("c", "c", [0, 0, 1, 0])], Ct);

        var deleted = await store.DeleteAsync(VectorSelection.ByIds("a", "missing", "c"), Ct);

        Assert.Equal(2, deleted);
        Assert.Equal(["b"], Ids(await store.SearchAsync(new float[] { 1, 1, 1, 0 }, new VectorSearchOptions { Top = 10 }, Ct)));
    }

    [Fact]
    public async Task DeleteAsync_ByIdsThenUpsertSameId_StoresItAgain()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("a", "first", [1, 0, 0, 0])], Ct);
        await store.DeleteAsync(VectorSelection.ByIds("a"), Ct);

        await store.UpsertAsync([Record("a", "again", [1, 0, 0, 0])], Ct);

        Assert.Equal("again", Assert.Single(await store.SearchAsync(new float[] { 1, 0, 0, 0 }, null, Ct)).Document.Content);
    }

    [Fact]
    public async Task DeleteAsync_ByFilter_RemovesMatchingAndReturnsCount()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync(FilterCorpus(), Ct);

        var deleted = await store.DeleteAsync(VectorSelection.Where(MetadataFilter.Eq("tags", "ai") | MetadataFilter.Eq("city", "上海")), Ct);

        Assert.Equal(3, deleted);
        Assert.Equal(["c", "e"], Ids(await store.SearchAsync(Query, new VectorSearchOptions { Top = 10 }, Ct)).Order());
    }

    [Fact]
    public async Task DeleteAsync_NothingSelected_ReturnsZero()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync(FilterCorpus(), Ct);

        Assert.Equal(0, await store.DeleteAsync(VectorSelection.Where(MetadataFilter.Eq("lang", "de")), Ct));
        Assert.Equal(0, await store.DeleteAsync(VectorSelection.ByIds("x", "y"), Ct));
        Assert.Equal(5, (await store.SearchAsync(Query, new VectorSearchOptions { Top = 10 }, Ct)).Count);
    }

    [Fact]
    public async Task SearchAsync_EmptyStore_ReturnsNothing()
    {
        var store = await NewStoreAsync();

        Assert.Empty(await store.SearchAsync(new float[] { 1, 0, 0, 0 }, new VectorSearchOptions { Top = 3, Filter = MetadataFilter.Exists("x"), MinScore = 0.1 }, Ct));
    }

    [Fact]
    public async Task SearchAsync_SeveralMatches_BestFirstWithCosineScores()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("y", "y", [0, 2, 0, 0]), Record("negx", "negx", [-1, 0, 0, 0]), Record("x", "x", [3, 0, 0, 0]), Record("xy", "xy", [1, 1, 0, 0])], Ct);

        var results = await store.SearchAsync(new float[] { 2, 0, 0, 0 }, new VectorSearchOptions { Top = 10 }, Ct);

        Assert.Equal(["x", "xy", "y", "negx"], Ids(results));
        Assert.Equal(1.0, results[0].Score, Tolerance);
        Assert.Equal(Math.Sqrt(0.5), results[1].Score, Tolerance);
        Assert.Equal(0.0, results[2].Score, Tolerance);
        Assert.Equal(-1.0, results[3].Score, Tolerance);
    }

    [Fact]
    public async Task SearchAsync_UnnormalisedVectors_ScoreIsCosineNotDotProduct()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("v", "v", [3, 4, 0, 0])], Ct);

        var result = Assert.Single(await store.SearchAsync(new float[] { 10, 0, 0, 0 }, null, Ct));

        Assert.Equal(0.6, result.Score, Tolerance);
    }

    [Fact]
    public async Task SearchAsync_Top_ReturnsOnlyTheBest()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("a", "a", [1, 0, 0, 0]), Record("b", "b", [1, 1, 0, 0]), Record("c", "c", [0, 1, 0, 0])], Ct);

        var results = await store.SearchAsync(new float[] { 1, 0, 0, 0 }, new VectorSearchOptions { Top = 2 }, Ct);

        Assert.Equal(["a", "b"], Ids(results));
    }

    [Fact]
    public async Task SearchAsync_DefaultOptions_ReturnsAtMostFour()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync(Enumerable.Range(0, 6).Select(i => Record($"d{i}", $"d{i}", [1, i, 0, 0])).ToArray(), Ct);

        var results = await store.SearchAsync(new float[] { 1, 0, 0, 0 }, null, Ct);

        Assert.Equal(["d0", "d1", "d2", "d3"], Ids(results));
    }

    [Fact]
    public async Task SearchAsync_MinScore_DropsWorseMatches()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("a", "a", [1, 0, 0, 0]), Record("b", "b", [1, 1, 0, 0]), Record("c", "c", [0, 1, 0, 0])], Ct);

        var results = await store.SearchAsync(new float[] { 1, 0, 0, 0 }, new VectorSearchOptions { Top = 10, MinScore = 0.5 }, Ct);

        Assert.Equal(["a", "b"], Ids(results));
        Assert.All(results, r => Assert.True(r.Score >= 0.5));
    }

    [Fact]
    public async Task SearchAsync_FilterWithTop_ReturnsBestOfTheMatching()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync(FilterCorpus(), Ct);

        var results = await store.SearchAsync(new float[] { 0, 0, 0, 1 }, new VectorSearchOptions { Top = 1, Filter = MetadataFilter.Eq("lang", "zh") }, Ct);

        Assert.Equal(["c"], Ids(results));
    }

    [Theory]
    [MemberData(nameof(Filters), DisableDiscoveryEnumeration = true)]
    public async Task SearchAsync_Filter_ReturnsExactlyTheMatchingDocuments(string name, MetadataFilter filter, string[] expected)
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync(FilterCorpus(), Ct);

        var results = await store.SearchAsync(Query, new VectorSearchOptions { Top = 10, Filter = filter }, Ct);

        Assert.True(expected.SequenceEqual(Ids(results).Order(StringComparer.Ordinal)), $"Filter '{name}' ({filter}) selected [{string.Join(", ", Ids(results).Order(StringComparer.Ordinal))}], expected [{string.Join(", ", expected)}].");
    }

    [Fact]
    public async Task SearchAsync_QueryOfWrongDimension_ThrowsArgumentException()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("a", "a", [1, 0, 0, 0])], Ct);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SearchAsync(new float[] { 1, 0, 0 }, null, Ct));
    }

    [Fact]
    public async Task SearchAsync_IncludeVectors_ReturnsVectorsInTheStoredDirection()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("a", "a", [3, 4, 0, 0])], Ct);

        var result = Assert.Single(await store.SearchAsync(new float[] { 1, 0, 0, 0 }, new VectorSearchOptions { IncludeVectors = true }, Ct));

        var vector = result.Vector.ToArray();
        Assert.Equal(Dimension, vector.Length);
        Assert.Equal(0, vector[2], 1e-5);
        Assert.Equal(4.0 / 3.0, vector[1] / vector[0], 1e-4);
    }

    [Fact]
    public async Task SearchAsync_VectorsNotAskedFor_ReturnsEmptyVectors()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("a", "a", [3, 4, 0, 0])], Ct);

        var result = Assert.Single(await store.SearchAsync(new float[] { 1, 0, 0, 0 }, null, Ct));

        Assert.True(result.Vector.IsEmpty);
    }

    [Fact]
    public async Task SearchAsync_LargerDimension_FindsTheNearest()
    {
        var store = await NewStoreAsync(384);
        var random = new Random(42);
        var records = Enumerable.Range(0, 200).Select(i => new VectorRecord(new Document($"r{i}", $"record {i}"), RandomVector(random, 384))).ToArray();
        await store.UpsertAsync(records, Ct);

        var target = records[123].Vector.ToArray();
        var results = await store.SearchAsync(target, new VectorSearchOptions { Top = 3 }, Ct);

        Assert.Equal("r123", results[0].Document.Id);
        Assert.Equal(1.0, results[0].Score, Tolerance);
        Assert.True(results[1].Score <= results[0].Score && results[2].Score <= results[1].Score);
    }

    [Fact]
    public async Task UpsertAsync_CancelledToken_ThrowsAndWritesNothing()
    {
        var store = await NewStoreAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.UpsertAsync([Record("a", "a", [1, 0, 0, 0])], cancelled.Token));

        Assert.Empty(await store.SearchAsync(new float[] { 1, 0, 0, 0 }, null, Ct));
    }

    [Fact]
    public async Task DeleteAsync_CancelledToken_ThrowsAndDeletesNothing()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("a", "a", [1, 0, 0, 0])], Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.DeleteAsync(VectorSelection.ByIds("a"), cancelled.Token));

        Assert.Single(await store.SearchAsync(new float[] { 1, 0, 0, 0 }, null, Ct));
    }

    [Fact]
    public async Task SearchAsync_CancelledToken_Throws()
    {
        var store = await NewStoreAsync();
        await store.UpsertAsync([Record("a", "a", [1, 0, 0, 0])], Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SearchAsync(new float[] { 1, 0, 0, 0 }, null, cancelled.Token));
    }

    /// <summary>Gets the test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A query vector close to every <see cref="FilterCorpus"/> document.</summary>
    protected static ReadOnlyMemory<float> Query { get; } = new float[] { 1, 0.1f, 0.1f, 0.1f };

    /// <summary>Creates a store through <see cref="CreateStoreAsync"/> and disposes it after the test.</summary>
    /// <param name="dimension">The vector dimension.</param>
    /// <returns>The store.</returns>
    protected async Task<IVectorStore> NewStoreAsync(int dimension = Dimension)
    {
        var store = await CreateStoreAsync(dimension);
        _stores.Add(store);
        return store;
    }

    /// <summary>Makes a record with optional metadata.</summary>
    /// <param name="id">The id.</param>
    /// <param name="content">The content.</param>
    /// <param name="vector">The vector.</param>
    /// <param name="metadata">The metadata, or <see langword="null"/>.</param>
    /// <returns>The record.</returns>
    protected static VectorRecord Record(string id, string content, float[] vector, DocumentMetadata? metadata = null)
        => new(new Document(id, content, metadata), vector);

    /// <summary>Gets the ids of the results, in order.</summary>
    /// <param name="results">The results.</param>
    /// <returns>The ids.</returns>
    protected static string[] Ids(IEnumerable<VectorSearchResult> results) => results.Select(r => r.Document.Id).ToArray();

    /// <summary>Five documents with typed metadata (see the filter table in <see cref="Filters"/>); "e" has none.</summary>
    /// <returns>The records.</returns>
    protected static VectorRecord[] FilterCorpus() =>
    [
        Record("a", "Vector search in English.", [1, 0.1f, 0, 0], Meta(("lang", "en"), ("year", 2020L), ("rating", 4.5), ("published", Jun2020), ("tags", new[] { "ai", "db" }), ("draft", false), ("city", "北京"))),
        Record("b", "中文的向量检索。", [1, 0, 0.1f, 0], Meta(("lang", "zh"), ("year", 2021L), ("rating", 3.0), ("published", Mar2021Beijing), ("tags", new[] { "db" }), ("draft", true), ("city", "上海"))),
        Record("c", "数据库与嵌入。", [1, 0, 0, 0.2f], Meta(("lang", "zh"), ("year", 2023L), ("rating", 5), ("published", Jan2023), ("tags", Array.Empty<string>()), ("city", "北京"))),
        Record("d", "Recherche vectorielle.", [1, 0.1f, 0.1f, 0], Meta(("lang", "fr"), ("tags", new[] { "ai" }), ("note", null))),
        Record("e", "No metadata at all.", [1, 0.05f, 0.05f, 0.05f]),
    ];

    private static DocumentMetadata Meta(params (string Key, object? Value)[] entries)
        => new(entries.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value)));

    private static float[] RandomVector(Random random, int dimension)
    {
        var vector = new float[dimension];
        for (var i = 0; i < dimension; i++)
        {
            vector[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return vector;
    }
}
