using System.Globalization;
using Chains.Indexes;

namespace Chains.Pgvector;

/// <summary>Options of <see cref="PgvectorStore.TuneRecallAsync"/>.</summary>
public sealed record RecallTuningOptions
{
    private readonly int _top = 10;
    private readonly double _targetRecall = 0.95;

    /// <summary>Gets k, the number of results whose overlap with exact search is measured (default 10).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Top
    {
        get => _top;
        init => _top = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Top), value, "Top must be at least 1.");
    }

    /// <summary>Gets the mean recall@k to reach (default 0.95).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in (0, 1].</exception>
    public double TargetRecall
    {
        get => _targetRecall;
        init => _targetRecall = value is > 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(TargetRecall), value, "TargetRecall must be in (0, 1].");
    }

    /// <summary>Gets the settings to try, or <see langword="null"/> for a doubling series (HNSW: 10 to 800 for
    /// <c>hnsw.ef_search</c>; IVFFlat: 1 to the number of lists for <c>ivfflat.probes</c>).</summary>
    public IReadOnlyList<int>? Candidates { get; init; }

    /// <summary>Gets a metadata filter applied to both the exact and the approximate search, or <see langword="null"/>.</summary>
    public MetadataFilter? Filter { get; init; }
}

/// <summary>The recall and latency of the vector index at one setting.</summary>
/// <param name="Value">The setting's value (ef_search or probes).</param>
/// <param name="Recall">The mean recall@k over the sample queries, in [0, 1].</param>
/// <param name="MeanLatency">The mean time of one approximate query.</param>
public readonly record struct RecallMeasurement(int Value, double Recall, TimeSpan MeanLatency);

/// <summary>The result of <see cref="PgvectorStore.TuneRecallAsync"/>.</summary>
/// <param name="Setting">The tuned setting: <c>hnsw.ef_search</c> or <c>ivfflat.probes</c>.</param>
/// <param name="Top">k.</param>
/// <param name="TargetRecall">The target recall.</param>
/// <param name="Measurements">One measurement per tried value, in increasing order.</param>
/// <param name="Recommended">The smallest value that reached the target, or <see langword="null"/> when none did.</param>
public sealed record RecallTuningResult(string Setting, int Top, double TargetRecall, IReadOnlyList<RecallMeasurement> Measurements, int? Recommended)
{
    /// <summary>Gets the query options that apply <see cref="Recommended"/>, or <see langword="null"/> when no value reached the target.</summary>
    public PgvectorQueryOptions? RecommendedQueryOptions => Recommended is not { } value
        ? null
        : Setting == HnswSetting ? new PgvectorQueryOptions { EfSearch = value } : new PgvectorQueryOptions { Probes = value };

    internal const string HnswSetting = "hnsw.ef_search";
    internal const string IvfFlatSetting = "ivfflat.probes";

    /// <inheritdoc />
    public override string ToString()
    {
        var lines = Measurements.Select(m => string.Create(CultureInfo.InvariantCulture, $"{Setting} = {m.Value}: recall@{Top} {m.Recall:0.000}, {m.MeanLatency.TotalMilliseconds:0.00} ms"));
        return string.Join(Environment.NewLine, lines.Append(Recommended is { } r
            ? string.Create(CultureInfo.InvariantCulture, $"recommended {Setting} = {r} (target {TargetRecall:0.00})")
            : string.Create(CultureInfo.InvariantCulture, $"no tried value reached recall {TargetRecall:0.00}")));
    }
}

/// <summary>Compares approximate top-k with exact top-k at increasing index settings.</summary>
internal static class RecallTuner
{
    /// <summary>Runs the measurement.</summary>
    /// <param name="store">The store.</param>
    /// <param name="queries">The sample queries.</param>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">A token that cancels the measurement.</param>
    /// <returns>The result.</returns>
    public static async Task<RecallTuningResult> TuneAsync(PgvectorStore store, IReadOnlyList<ReadOnlyMemory<float>> queries, RecallTuningOptions options, CancellationToken cancellationToken)
    {
        if (queries.Count == 0)
        {
            throw new ArgumentException("Recall tuning needs at least one sample query.", nameof(queries));
        }

        foreach (var query in queries)
        {
            store.Table.CheckDimensions(query, nameof(queries));
        }

        var index = store.Options.Index;
        var (setting, defaults) = index.Kind switch
        {
            PgvectorIndexKind.Hnsw => (RecallTuningResult.HnswSetting, new[] { 10, 20, 40, 80, 100, 200, 400, 800 }),
            PgvectorIndexKind.IvfFlat => (RecallTuningResult.IvfFlatSetting, Doubling(index.Lists)),
            _ => throw new InvalidOperationException($"The store '{store.Table.DisplayName}' has no vector index, so every search is already exact; there is nothing to tune."),
        };
        var values = (options.Candidates ?? defaults).Distinct().Order().ToArray();
        if (values.Length == 0 || values[0] < 1)
        {
            throw new ArgumentException("RecallTuningOptions.Candidates must hold positive values.", nameof(options));
        }

        var exact = new List<HashSet<string>>(queries.Count);
        foreach (var query in queries)
        {
            exact.Add(await IdsAsync(store, query, options, new PgvectorQueryOptions { Exact = true }, cancellationToken).ConfigureAwait(false));
        }

        var time = store.Options.TimeProvider;
        var measurements = new List<RecallMeasurement>(values.Length);
        int? recommended = null;
        foreach (var value in values)
        {
            var settings = setting == RecallTuningResult.HnswSetting ? new PgvectorQueryOptions { EfSearch = Math.Min(value, 1000) } : new PgvectorQueryOptions { Probes = value };
            double recall = 0;
            var elapsed = TimeSpan.Zero;
            for (var i = 0; i < queries.Count; i++)
            {
                var started = time.GetTimestamp();
                var found = await IdsAsync(store, queries[i], options, settings, cancellationToken).ConfigureAwait(false);
                elapsed += time.GetElapsedTime(started);
                recall += exact[i].Count == 0 ? 1 : (double)found.Count(exact[i].Contains) / exact[i].Count;
            }

            var measurement = new RecallMeasurement(value, recall / queries.Count, elapsed / queries.Count);
            measurements.Add(measurement);
            if (recommended is null && measurement.Recall >= options.TargetRecall)
            {
                recommended = value;
            }
        }

        return new RecallTuningResult(setting, options.Top, options.TargetRecall, measurements, recommended);
    }

    private static int[] Doubling(int lists)
    {
        var values = new List<int>();
        for (var v = 1; v < lists; v *= 2)
        {
            values.Add(v);
        }

        values.Add(lists);
        return [.. values];
    }

    private static Task<HashSet<string>> IdsAsync(PgvectorStore store, ReadOnlyMemory<float> query, RecallTuningOptions options, PgvectorQueryOptions settings, CancellationToken cancellationToken)
    {
        var p = new SqlParameters();
        var sql = store.NearestSql(p, query, options.Filter, options.Top, "id");
        var merged = settings.Over(store.Options.Query);
        return store.RunAsync(
            "measure recall",
            async ct =>
            {
                var ids = new HashSet<string>(StringComparer.Ordinal);
                await using var connection = await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var batch = store.CreateBatch(connection, merged, sql, p);
                await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await PgvectorStore.SkipSettingsAsync(reader, batch, ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    ids.Add(reader.GetString(0));
                }

                return ids;
            },
            cancellationToken);
    }
}
