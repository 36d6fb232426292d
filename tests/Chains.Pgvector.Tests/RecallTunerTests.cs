using Npgsql;
using static Chains.Pgvector.Tests.TestData;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="RecallTuner"/> through <see cref="PgvectorStore.TuneRecallAsync"/>: recall@k of the index against
/// exact search per setting, and the smallest setting that reaches the target.</summary>
public sealed class RecallTunerTests(PostgresServer server) : IAsyncLifetime
{
    private readonly TestSchema _db = new(server, "tuner");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task TuneRecallAsync_Hnsw_ReportsRecallPerEfSearchAndPicksTheSmallestReachingTheTarget()
    {
        var vectors = Clustered(2500, 24, 25, seed: 21);
        await using var store = _db.DataSource.AsVectorStore(new PgvectorStoreOptions
        {
            Schema = _db.Name,
            Table = "hnsw",
            Dimensions = 24,
            Index = PgvectorIndex.Hnsw(),
            Query = new() { IterativeScan = PgvectorIterativeScan.Off },
        });
        await store.UpsertAsync(vectors.Select((v, i) => Record($"v{i}", "x", v)).ToArray(), Ct);
        await server.ScalarAsync($"ANALYZE \"{_db.Name}\".hnsw");
        var random = new Random(4);
        var queries = Enumerable.Range(0, 25).Select(_ => (ReadOnlyMemory<float>)vectors[random.Next(vectors.Length)].Select(x => x + 0.05f).ToArray()).ToList();

        var result = await store.TuneRecallAsync(queries, new RecallTuningOptions { Top = 10, TargetRecall = 0.95, Candidates = [1, 4, 16, 64, 256] }, Ct);

        Assert.Equal("hnsw.ef_search", result.Setting);
        Assert.Equal([1, 4, 16, 64, 256], result.Measurements.Select(m => m.Value));
        Assert.True(result.Measurements[0].Recall < 0.15, result.ToString()); // ef_search 1 yields one row of ten
        Assert.True(result.Recommended is not null, result.ToString());
        var chosen = result.Measurements.Single(m => m.Value == result.Recommended);
        Assert.True(chosen.Recall >= 0.95, result.ToString());
        Assert.All(result.Measurements.TakeWhile(m => m.Value < result.Recommended), m => Assert.True(m.Recall < 0.95, result.ToString()));
        Assert.All(result.Measurements, m => Assert.True(m.MeanLatency > TimeSpan.Zero));

        // The recommendation holds when applied.
        var tuned = store.WithQueryOptions(result.RecommendedQueryOptions!);
        var exact = store.WithQueryOptions(new() { Exact = true });
        double recall = 0;
        foreach (var q in queries)
        {
            var found = Ids(await tuned.SearchAsync(q, new() { Top = 10 }, Ct));
            recall += found.Intersect(Ids(await exact.SearchAsync(q, new() { Top = 10 }, Ct))).Count() / 10.0;
        }

        Assert.True(recall / queries.Count >= 0.95, $"applied recall {recall / queries.Count:0.000}");
    }

    [Fact]
    public async Task TuneRecallAsync_IvfFlat_TunesProbesUpToAllLists()
    {
        var vectors = Clustered(800, 8, 8, seed: 2);
        await using (var loader = _db.DataSource.AsVectorStore(new PgvectorStoreOptions { Schema = _db.Name, Table = "ivf", Dimensions = 8, Index = PgvectorIndex.None }))
        {
            await loader.UpsertAsync(vectors.Select((v, i) => Record($"v{i}", "x", v)).ToArray(), Ct);
        }

        await using var store = _db.DataSource.AsVectorStore(new PgvectorStoreOptions { Schema = _db.Name, Table = "ivf", Dimensions = 8, Index = PgvectorIndex.IvfFlat(16), Query = new() { IterativeScan = PgvectorIterativeScan.Off } });
        await store.EnsureSchemaAsync(Ct);
        await server.ScalarAsync($"ANALYZE \"{_db.Name}\".ivf");

        var result = await store.TuneRecallAsync(vectors.Take(10).Select(v => (ReadOnlyMemory<float>)v).ToList(), new RecallTuningOptions { TargetRecall = 1.0 }, Ct);

        Assert.Equal("ivfflat.probes", result.Setting);
        Assert.Equal([1, 2, 4, 8, 16], result.Measurements.Select(m => m.Value));
        Assert.Equal(1.0, result.Measurements[^1].Recall);
        Assert.NotNull(result.Recommended);
        Assert.Equal(result.Recommended, result.RecommendedQueryOptions!.Probes);
    }

    [Fact]
    public async Task TuneRecallAsync_NoIndexOrNoQueries_Throws()
    {
        await using var store = _db.DataSource.AsVectorStore(new PgvectorStoreOptions { Schema = _db.Name, Table = "plain", Dimensions = 2, Index = PgvectorIndex.None });
        await using var indexed = _db.DataSource.AsVectorStore(new PgvectorStoreOptions { Schema = _db.Name, Table = "plain2", Dimensions = 2 });

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.TuneRecallAsync([new float[] { 1, 0 }], null, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => indexed.TuneRecallAsync([], null, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => indexed.TuneRecallAsync([new float[] { 1, 0, 0 }], null, Ct));
    }
}
