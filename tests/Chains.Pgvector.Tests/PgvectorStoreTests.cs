using Chains.Indexes;
using Npgsql;
using static Chains.Pgvector.Tests.TestData;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="PgvectorStore"/> beyond the shared contract: schema creation and checks, index kinds and query
/// settings, vector types and distances, both write paths, bulk loading, against a real server.</summary>
public sealed class PgvectorStoreTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string _schema = TestNames.Unique("store");
    private readonly List<IAsyncDisposable> _disposables = [];
    private NpgsqlDataSource _dataSource = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _dataSource = server.CreateDataSource();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _disposables)
        {
            await d.DisposeAsync();
        }

        await using (var cmd = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        await _dataSource.DisposeAsync();
    }

    [Fact]
    public async Task EnsureSchemaAsync_NewTable_CreatesTableIndexesAndRegistryRow()
    {
        var store = Store(new() { Table = "docs", Dimensions = 3, Index = PgvectorIndex.Hnsw(m: 8, efConstruction: 32) });

        await store.EnsureSchemaAsync(Ct);

        Assert.Equal("vector(3)", await server.ScalarAsync($"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\"{_schema}\".docs'::regclass AND attname = 'embedding'"));
        var indexes = await IndexDefinitionsAsync("docs");
        Assert.Contains(indexes, d => d.Contains("USING hnsw (embedding vector_cosine_ops) WITH (m='8', ef_construction='32')", StringComparison.Ordinal));
        Assert.Contains(indexes, d => d.Contains("USING gin (metadata)", StringComparison.Ordinal));
        Assert.Contains(indexes, d => d.Contains("USING gin (terms)", StringComparison.Ordinal));
        Assert.Equal("{toast_tuple_target=8160}", await server.ScalarAsync($"SELECT reloptions::text FROM pg_class WHERE oid = '\"{_schema}\".docs'::regclass"));
        Assert.Equal(
            "1|3|vector|cosine|simple",
            await server.ScalarAsync($"SELECT concat_ws('|', schema_version, dimensions, vector_type, distance, text_search_config) FROM \"{_schema}\".chains_pgvector_tables WHERE table_name = 'docs'"));
    }

    [Fact]
    public async Task EnsureSchemaAsync_RepeatedAndConcurrentFromSeveralStores_CreatesOneTableAndKeepsData()
    {
        var options = new PgvectorStoreOptions { Table = "shared", Dimensions = 3 };
        var first = Store(options);
        await first.UpsertAsync([Record("a", "kept", [1, 0, 0])], Ct);

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Store(options).EnsureSchemaAsync(Ct)));
        await first.EnsureSchemaAsync(Ct);

        Assert.Equal(1L, await first.CountAsync(cancellationToken: Ct));
        Assert.Equal(3, (await IndexDefinitionsAsync("shared")).Count(d => !d.Contains("_pkey", StringComparison.Ordinal)));
    }

    public static TheoryData<string, string> UnstorableText => new()
    {
        { "id", "an id with a NUL character at index 1" },
        { "content", "content with an unpaired surrogate U+D800 at index 5" },
        { "source", "a source with a NUL character at index 4" },
        { "key", "a metadata key with an unpaired surrogate U+DC00 at index 0" },
        { "value", "a value of metadata 'note' with a NUL character at index 2" },
        { "list", "a value of metadata 'tags' with an unpaired surrogate U+D83D at index 1" },
    };

    [Theory]
    [MemberData(nameof(UnstorableText))]
    public async Task UpsertAsync_TextPostgresCannotStore_ThrowsNamingRecordAndFieldBeforeWritingAnyPath(string field, string expected)
    {
        var store = Store(new() { Table = "unstorable", Dimensions = 2, CopyThreshold = 4 });
        await store.EnsureSchemaAsync(Ct);
        var bad = field switch
        {
            "id" => Record("b\0d", "bad", [1, 1]),
            "content" => Record("bad", "坏的内容 \uD800 x", [1, 1]),
            "source" => new VectorRecord(new Document("bad", "bad", DocumentMetadata.Empty, "docs\0.md"), new float[] { 1, 1 }),
            "key" => Record("bad", "bad", [1, 1], ("\uDC00k", "v")),
            "value" => Record("bad", "bad", [1, 1], ("note", "ok\0")),
            _ => Record("bad", "bad", [1, 1], ("tags", new[] { "fine", "x\uD83D" })),
        };
        VectorRecord[] few = [Record("good", "好的 good", [1, 0]), bad];
        VectorRecord[] many = [.. Enumerable.Range(0, 5).Select(i => Record($"g{i}", "好的 good", [1, i])), bad];

        var perRow = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync(few, Ct));
        var copy = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync(many, Ct));
        var bulk = await Assert.ThrowsAsync<ArgumentException>(() => store.BulkUpsertAsync(Stream(many), Ct));

        Assert.StartsWith("Record 1", perRow.Message, StringComparison.Ordinal);
        Assert.StartsWith("Record 5", copy.Message, StringComparison.Ordinal);
        Assert.StartsWith("Record 5", bulk.Message, StringComparison.Ordinal);
        Assert.All(new[] { perRow, copy, bulk }, e => Assert.Contains(expected, e.Message, StringComparison.Ordinal));
        Assert.Equal(field == "id", !perRow.Message.Contains("('bad')", StringComparison.Ordinal));
        Assert.Equal(0L, await server.ScalarAsync($"SELECT count(*) FROM \"{_schema}\".unstorable"));
    }

    [Fact]
    public async Task EnsureSchemaAsync_ExistingTableWithOtherDimension_ThrowsAndChangesNothing()
    {
        await Store(new() { Table = "dims", Dimensions = 3 }).UpsertAsync([Record("a", "a", [1, 0, 0])], Ct);
        var indexesBefore = await IndexDefinitionsAsync("dims");
        var wrong = Store(new() { Table = "dims", Dimensions = 4, Index = PgvectorIndex.IvfFlat(10) });

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => wrong.EnsureSchemaAsync(Ct));

        Assert.Contains("vector(3)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("vector(4)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(indexesBefore, await IndexDefinitionsAsync("dims"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => wrong.UpsertAsync([Record("b", "b", [1, 0, 0, 0])], Ct));
        Assert.Equal(1L, await server.ScalarAsync($"SELECT count(*) FROM \"{_schema}\".dims"));
    }

    [Fact]
    public async Task EnsureSchemaAsync_ExistingTableWithOtherDistanceOrVectorType_ThrowsNamingBoth()
    {
        await Store(new() { Table = "dist", Dimensions = 3 }).EnsureSchemaAsync(Ct);
        var indexesBefore = await IndexDefinitionsAsync("dist");

        var distance = await Assert.ThrowsAsync<InvalidOperationException>(() => Store(new() { Table = "dist", Dimensions = 3, Distance = PgvectorDistance.L2 }).EnsureSchemaAsync(Ct));
        var half = await Assert.ThrowsAsync<InvalidOperationException>(() => Store(new() { Table = "dist", Dimensions = 3, HalfPrecision = true }).EnsureSchemaAsync(Ct));
        var config = await Assert.ThrowsAsync<InvalidOperationException>(() => Store(new() { Table = "dist", Dimensions = 3, TextSearchConfig = "english" }).EnsureSchemaAsync(Ct));

        Assert.Contains("cosine", distance.Message, StringComparison.Ordinal);
        Assert.Contains("l2", distance.Message, StringComparison.Ordinal);
        Assert.Contains("halfvec(3)", half.Message, StringComparison.Ordinal);
        Assert.Contains("'english'", config.Message, StringComparison.Ordinal);
        Assert.Equal(indexesBefore, await IndexDefinitionsAsync("dist"));
    }

    [Fact]
    public async Task EnsureSchemaAsync_TableWithoutRegistryRow_TakesDistanceFromItsIndex()
    {
        await Store(new() { Table = "adopted", Dimensions = 3, Distance = PgvectorDistance.InnerProduct }).EnsureSchemaAsync(Ct);
        await server.ScalarAsync($"DELETE FROM \"{_schema}\".chains_pgvector_tables WHERE table_name = 'adopted'");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Store(new() { Table = "adopted", Dimensions = 3 }).EnsureSchemaAsync(Ct));
        await Store(new() { Table = "adopted", Dimensions = 3, Distance = PgvectorDistance.InnerProduct }).EnsureSchemaAsync(Ct);

        Assert.Contains("ip distance", ex.Message, StringComparison.Ordinal);
        Assert.Equal("ip", await server.ScalarAsync($"SELECT distance FROM \"{_schema}\".chains_pgvector_tables WHERE table_name = 'adopted'"));
    }

    [Fact]
    public async Task EnsureSchemaAsync_FreshDatabaseWithoutExtension_CreatesExtensionAndStoreWorks()
    {
        var database = TestNames.Unique("db");
        await server.ScalarAsync($"CREATE DATABASE {database}");
        try
        {
            await using var dataSource = server.CreateDataSource(csb => csb.Database = database);
            await using (var warm = await dataSource.OpenConnectionAsync(Ct))
            {
                // The data source loads its type catalogue before the extension exists.
                Assert.Equal(0L, await new NpgsqlCommand("SELECT count(*) FROM pg_extension WHERE extname = 'vector'", warm).ExecuteScalarAsync(Ct));
            }

            await using var store = dataSource.AsVectorStore(new PgvectorStoreOptions { Dimensions = 3 });
            await store.UpsertAsync([Record("a", "first", [1, 0, 0]), Record("b", "second", [0, 1, 0])], Ct);

            var results = await store.SearchAsync(new float[] { 0, 1, 0 }, new VectorSearchOptions { Top = 1 }, Ct);
            Assert.Equal(["b"], Ids(results));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await server.ScalarAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task EnsureSchemaAsync_DataSourceWithoutUseVector_ThrowsNamingUseVector()
    {
        await using var plain = NpgsqlDataSource.Create(server.ConnectionString);
        await using var store = plain.AsVectorStore(new PgvectorStoreOptions { Schema = _schema, Table = "plain", Dimensions = 3 });

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => store.EnsureSchemaAsync(Ct));

        Assert.Contains("UseVector()", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureSchemaAsync_UnknownTextSearchConfig_ThrowsAndCreatesNoTable()
    {
        var store = Store(new() { Table = "nocfg", Dimensions = 3, TextSearchConfig = "klingon" });

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => store.EnsureSchemaAsync(Ct));

        Assert.Contains("'klingon'", ex.Message, StringComparison.Ordinal);
        Assert.Null(await server.ScalarAsync("SELECT to_regclass($1)::text", $"\"{_schema}\".nocfg"));
    }

    [Fact]
    public async Task SearchAsync_SelectiveFilter_IterativeScanReturnsTopWherePlainHnswReturnsFewer()
    {
        var store = Store(new() { Table = "selective", Dimensions = 32, Index = PgvectorIndex.Hnsw() });
        var random = new Random(7);
        var records = Enumerable.Range(0, 3000)
            .Select(i => Record($"r{i}", $"row {i}", RandomVector(random, 32), ("bucket", (long)(i % 100))))
            .ToArray();
        await store.UpsertAsync(records, Ct);
        await server.ScalarAsync($"ANALYZE \"{_schema}\".selective");
        var filter = MetadataFilter.Gte("bucket", 99); // 30 of 3000 rows; a range is not served by the GIN index
        var options = new VectorSearchOptions { Top = 10, Filter = filter };
        var query = RandomVector(random, 32);

        var plain = await store.WithQueryOptions(new() { IterativeScan = PgvectorIterativeScan.Off }).SearchAsync(query, options, Ct);
        var relaxed = await store.WithQueryOptions(new() { IterativeScan = PgvectorIterativeScan.RelaxedOrder }).SearchAsync(query, options, Ct);
        var strict = await store.WithQueryOptions(new() { IterativeScan = PgvectorIterativeScan.StrictOrder }).SearchAsync(query, options, Ct);
        var exact = await store.WithQueryOptions(new() { Exact = true }).SearchAsync(query, options, Ct);

        Assert.True(plain.Count < 10, $"plain HNSW returned {plain.Count} rows; the test needs a filter it cannot satisfy");
        Assert.Equal(10, exact.Count);
        foreach (var results in new[] { relaxed, strict })
        {
            Assert.Equal(10, results.Count);
            Assert.All(results, r => Assert.Equal(99L, r.Document.Metadata["bucket"]));
            Assert.Equal(results.OrderByDescending(r => r.Score).Select(r => r.Document.Id), Ids(results));
            Assert.True(Ids(results).Intersect(Ids(exact)).Count() >= 8, $"iterative scan found [{string.Join(", ", Ids(results))}], exact [{string.Join(", ", Ids(exact))}]");
        }
    }

    [Fact]
    public async Task WithQueryOptions_EfSearch_AppliesToTheQueryAndNotToThePooledConnection()
    {
        await using var onePool = server.CreateDataSource(csb => csb.MaxPoolSize = 1);
        await using var store = onePool.AsVectorStore(new PgvectorStoreOptions { Schema = _schema, Table = "efsearch", Dimensions = 8 });
        var random = new Random(3);
        await store.UpsertAsync(Enumerable.Range(0, 2000).Select(i => Record($"r{i}", "x", RandomVector(random, 8))).ToArray(), Ct);
        await server.ScalarAsync($"ANALYZE \"{_schema}\".efsearch");
        var query = RandomVector(random, 8);

        var narrow = await store.WithQueryOptions(new() { EfSearch = 2, IterativeScan = PgvectorIterativeScan.Off }).SearchAsync(query, new VectorSearchOptions { Top = 10 }, Ct);
        await using var connection = await onePool.OpenConnectionAsync(Ct);
        var after = await new NpgsqlCommand("SELECT current_setting('hnsw.ef_search') || '/' || current_setting('hnsw.iterative_scan')", connection).ExecuteScalarAsync(Ct);
        await connection.CloseAsync();
        var wide = await store.SearchAsync(query, new VectorSearchOptions { Top = 10 }, Ct);

        Assert.Equal(2, narrow.Count); // an HNSW scan yields at most ef_search rows without iterative scan
        Assert.Equal("40/off", after);
        Assert.Equal(10, wide.Count);
    }

    [Fact]
    public async Task SearchAsync_IvfFlatIndexBuiltAfterLoadWithAllProbes_MatchesExactSearch()
    {
        var vectors = Clustered(1000, 16, 10, seed: 11);
        await Store(new() { Table = "ivf", Dimensions = 16, Index = PgvectorIndex.None })
            .UpsertAsync(vectors.Select((v, i) => Record($"r{i}", "x", v)).ToArray(), Ct);
        var store = Store(new() { Table = "ivf", Dimensions = 16, Index = PgvectorIndex.IvfFlat(lists: 10) });
        await store.EnsureSchemaAsync(Ct);
        await server.ScalarAsync($"ANALYZE \"{_schema}\".ivf");
        var query = vectors[5];

        var oneProbe = await store.WithQueryOptions(new() { Probes = 1, IterativeScan = PgvectorIterativeScan.Off }).SearchAsync(query, new VectorSearchOptions { Top = 10 }, Ct);
        var allProbes = await store.WithQueryOptions(new() { Probes = 10 }).SearchAsync(query, new VectorSearchOptions { Top = 10 }, Ct);
        var exact = await store.WithQueryOptions(new() { Exact = true }).SearchAsync(query, new VectorSearchOptions { Top = 10 }, Ct);

        Assert.Contains(await IndexDefinitionsAsync("ivf"), d => d.Contains("USING ivfflat (embedding vector_cosine_ops) WITH (lists='10')", StringComparison.Ordinal));
        Assert.Equal(Ids(exact), Ids(allProbes));
        Assert.Equal("r5", oneProbe[0].Document.Id);
    }

    [Fact]
    public async Task SearchAsync_HalfPrecisionWith3000Dimensions_IndexesAndFindsTheNearest()
    {
        var store = Store(new() { Table = "half", Dimensions = 3000, HalfPrecision = true });
        var random = new Random(5);
        var records = Enumerable.Range(0, 50).Select(i => Record($"h{i}", "x", RandomVector(random, 3000))).ToArray();
        await store.UpsertAsync(records, Ct);

        var results = await store.SearchAsync(records[17].Vector, new VectorSearchOptions { Top = 2, IncludeVectors = true }, Ct);

        Assert.Equal("halfvec(3000)", await server.ScalarAsync($"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\"{_schema}\".half'::regclass AND attname = 'embedding'"));
        Assert.Contains(await IndexDefinitionsAsync("half"), d => d.Contains("USING hnsw (embedding halfvec_cosine_ops)", StringComparison.Ordinal));
        Assert.Equal("h17", results[0].Document.Id);
        Assert.Equal(1.0, results[0].Score, 1e-3);
        var stored = results[0].Vector.ToArray();
        var original = records[17].Vector.ToArray();
        Assert.Equal(3000, stored.Length);
        Assert.All(Enumerable.Range(0, 3000), i => Assert.Equal(original[i], stored[i], 1e-3));
    }

    [Fact]
    public async Task SearchAsync_L2Distance_ScoreIsOneOverOnePlusDistance()
    {
        var store = Store(new() { Table = "l2", Dimensions = 2, Distance = PgvectorDistance.L2 });
        await store.UpsertAsync([Record("near", "x", [3, 4]), Record("far", "x", [30, 40])], Ct);

        var results = await store.SearchAsync(new float[] { 0, 0 }, new VectorSearchOptions { Top = 2 }, Ct);

        Assert.Equal(["near", "far"], Ids(results));
        Assert.Equal(1.0 / 6, results[0].Score, 1e-6);
        Assert.Equal(1.0 / 51, results[1].Score, 1e-6);
    }

    [Fact]
    public async Task SearchAsync_InnerProduct_ScoreIsTheInnerProduct()
    {
        var store = Store(new() { Table = "ip", Dimensions = 2, Distance = PgvectorDistance.InnerProduct });
        await store.UpsertAsync([Record("big", "x", [3, 4]), Record("small", "x", [1, 0])], Ct);

        var results = await store.SearchAsync(new float[] { 1, 1 }, new VectorSearchOptions { Top = 2, MinScore = 2 }, Ct);

        Assert.Equal(["big"], Ids(results));
        Assert.Equal(7.0, results[0].Score, 1e-6);
    }

    [Theory]
    [InlineData("simple", true)]
    [InlineData("english", true)]
    [InlineData("simple", false)]
    public async Task UpsertAsync_CopyPathAndPerRowPath_StoreIdenticalRows(string config, bool fullText)
    {
        var records = Enumerable.Range(0, 120).Select(i => new VectorRecord(
            new Document(
                $"d{i}",
                (i % 3) switch
                {
                    0 => $"English texts {i} running",
                    1 => $"中文内容 {i} 向量",
                    _ => $"O'Brien's \\ 'quoted' 𠀀𠀁 日本語テキスト {string.Join(' ', Enumerable.Repeat("again", 300))} {new string('y', 2100)}",
                },
                new DocumentMetadata(new Dictionary<string, object?> { ["i"] = (long)i, ["x"] = i / 3.0, ["when"] = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(i % 12)), ["tags"] = new[] { "t" + (i % 5) } }),
                i % 3 == 0 ? null : $"src/{i}.md",
                i % 4 == 0 ? null : new SourceSpan(i, i + 1)),
            new float[] { 1, i, -i })).ToArray();
        var options = new PgvectorStoreOptions { Dimensions = 3, TextSearchConfig = config, FullTextSearch = fullText };
        var copy = Store(options with { Table = $"bycopy_{config}_{(fullText ? "fts" : "vec")}", CopyThreshold = 1 });
        var perRow = Store(options with { Table = $"byrow_{config}_{(fullText ? "fts" : "vec")}", CopyThreshold = 1000 });

        await copy.UpsertAsync(records, Ct);
        await perRow.UpsertAsync(records, Ct);

        var fromCopy = await copy.SearchAsync(new float[] { 1, 1, 1 }, new VectorSearchOptions { Top = 200 }, Ct);
        var fromRows = await perRow.SearchAsync(new float[] { 1, 1, 1 }, new VectorSearchOptions { Top = 200 }, Ct);
        Assert.Equal(120, fromCopy.Count);
        Assert.Equal(records.Select(r => r.Document).OrderBy(d => d.Id, StringComparer.Ordinal), fromCopy.Select(r => r.Document).OrderBy(d => d.Id, StringComparer.Ordinal));
        Assert.Equal(fromRows.Select(r => r.Document), fromCopy.Select(r => r.Document));
        var terms = await server.ScalarAsync($"SELECT string_agg(terms::text, '|' ORDER BY id) FROM \"{_schema}\".{perRow.Options.Table}");
        Assert.Equal(terms, await server.ScalarAsync($"SELECT string_agg(terms::text, '|' ORDER BY id) FROM \"{_schema}\".{copy.Options.Table}"));
        Assert.Equal(fullText ? 120L : 0L, await server.ScalarAsync($"SELECT count(*) FROM \"{_schema}\".{copy.Options.Table} WHERE terms <> ''::tsvector"));
    }

    [Fact]
    public async Task UpsertAsync_ChunkRowsWithTermsOverTwoKilobytes_StayInlineAndUncompressed()
    {
        var random = new Random(3);
        var words = Enumerable.Range(0, 500).Select(i => "word" + i).ToArray();
        var records = Enumerable.Range(0, 200).Select(i => Record(
            $"c{i}",
            string.Join(' ', Enumerable.Range(0, 80).Select(_ => words[random.Next(words.Length)])) + " 向量数据库的全文检索",
            RandomVector(random, 384))).ToArray();
        var store = Store(new() { Table = "inline", Dimensions = 384, CopyThreshold = 100 });

        await store.UpsertAsync(records, Ct); // binary COPY through the staging table
        await store.UpsertAsync(records.Take(10).ToArray(), Ct); // one statement per row

        Assert.Equal(0L, await server.ScalarAsync($"SELECT count(*) FROM \"{_schema}\".inline WHERE pg_column_size(inline.*) <= 2032"));
        Assert.Equal(0L, await server.ScalarAsync($"SELECT count(*) FROM \"{_schema}\".inline WHERE pg_column_compression(terms) IS NOT NULL OR pg_column_compression(content) IS NOT NULL"));
        Assert.Equal(0L, await server.ScalarAsync($"SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE oid = '\"{_schema}\".inline'::regclass"));
    }

    [Fact]
    public async Task UpsertAsync_CopyPathWithExistingAndRepeatedIds_ReplacesAndLastWins()
    {
        var store = Store(new() { Table = "copyupsert", Dimensions = 2, CopyThreshold = 2 });
        await store.UpsertAsync([Record("a", "old a", [1, 0]), Record("b", "old b", [0, 1])], Ct);

        await store.UpsertAsync([Record("a", "new a", [1, 0], ("v", 1L)), Record("c", "c", [1, 1]), Record("a", "newest a", [1, 0], ("v", 2L))], Ct);

        var results = await store.SearchAsync(new float[] { 1, 0 }, new VectorSearchOptions { Top = 10 }, Ct);
        Assert.Equal(["a", "c", "b"], Ids(results));
        Assert.Equal("newest a", results[0].Document.Content);
        Assert.Equal(2L, results[0].Document.Metadata["v"]);
    }

    [Fact]
    public async Task BulkUpsertAsync_SeveralBatches_WritesAllAndReturnsTheCount()
    {
        var store = Store(new() { Table = "bulk", Dimensions = 4, BulkBatchSize = 300, Index = PgvectorIndex.None });
        var random = new Random(1);

        var written = await store.BulkUpsertAsync(Stream(Enumerable.Range(0, 1000).Select(i => Record($"b{i}", $"bulk {i}", RandomVector(random, 4), ("n", (long)i)))), Ct);

        Assert.Equal(1000, written);
        Assert.Equal(1000L, await store.CountAsync(cancellationToken: Ct));
        Assert.Equal(100L, await store.CountAsync(MetadataFilter.Range("n", 900, 999), Ct));
    }

    [Fact]
    public async Task BulkUpsertAsync_BadRecordInALaterBatch_KeepsEarlierBatchesAndThrows()
    {
        var store = Store(new() { Table = "bulkbad", Dimensions = 2, BulkBatchSize = 10 });
        var records = Enumerable.Range(0, 25).Select(i => Record($"r{i}", "x", i == 15 ? [1, 2, 3] : [1, i])).ToArray();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.BulkUpsertAsync(Stream(records), Ct));

        Assert.StartsWith("Record 15 ('r15') has a vector of 3 dimensions", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Its batch was not written; batches before it stay.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(10L, await store.CountAsync(cancellationToken: Ct));
    }

    [Fact]
    public async Task CountAsync_Filter_CountsOnlyMatchingRows()
    {
        var store = Store(new() { Table = "counted", Dimensions = 2 });
        await store.UpsertAsync([Record("a", "x", [1, 0], ("k", "v")), Record("b", "x", [0, 1], ("k", "w")), Record("c", "x", [1, 1])], Ct);

        Assert.Equal(3L, await store.CountAsync(cancellationToken: Ct));
        Assert.Equal(1L, await store.CountAsync(MetadataFilter.Eq("k", "v"), Ct));
        Assert.Equal(2L, await store.CountAsync(MetadataFilter.Ne("k", "v"), Ct));
    }

    [Fact]
    public async Task UpsertAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var store = _dataSource.AsVectorStore(new PgvectorStoreOptions { Schema = _schema, Table = "disposed", Dimensions = 2 });
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.UpsertAsync([Record("a", "x", [1, 0])], Ct));
    }

    private PgvectorStore Store(PgvectorStoreOptions options)
    {
        var store = _dataSource.AsVectorStore(options with { Schema = _schema });
        _disposables.Add(store);
        return store;
    }

    private async Task<List<string>> IndexDefinitionsAsync(string table)
    {
        var list = new List<string>();
        await using var cmd = _dataSource.CreateCommand("SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname");
        cmd.Parameters.Add(new NpgsqlParameter { Value = _schema });
        cmd.Parameters.Add(new NpgsqlParameter { Value = table });
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }
}
