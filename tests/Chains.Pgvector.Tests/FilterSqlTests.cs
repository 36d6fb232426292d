using Chains.Indexes;
using Npgsql;
using static Chains.Pgvector.Tests.TestData;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="FilterSql"/>: hostile keys and values only ever travel as parameters, and the compiled SQL selects
/// exactly what <see cref="MetadataFilter.Matches"/> selects in memory, on a real server.</summary>
public sealed class FilterSqlTests(PostgresServer server) : IAsyncLifetime
{
    public static readonly string[] Hostile =
    [
        "'; DROP TABLE docs; --",
        "x' OR '1'='1",
        "$$; DELETE FROM docs; $$",
        "$1",
        "/* comment */ value",
        "-- line comment",
        "\" OR 1=1 --",
        "back\\slash\\",
        "semi;colon",
        "?| ?& @>",
        "键 with 中文, ελληνικά and emoji 🚀",
        "tab\tnew\nline",
        "null",
    ];

    private readonly string _schema = TestNames.Unique("filter");
    private NpgsqlDataSource _dataSource = null!;
    private PgvectorStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _dataSource = server.CreateDataSource();
        _store = _dataSource.AsVectorStore(new PgvectorStoreOptions { Schema = _schema, Table = "docs", Dimensions = 2, Index = PgvectorIndex.None });
        await _store.EnsureSchemaAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        await using (var cmd = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        await _dataSource.DisposeAsync();
    }

    [Fact]
    public void Compile_HostileKeysAndValues_SqlTextIsTheSameAsForPlainOnes()
    {
        foreach (var s in Hostile)
        {
            foreach (var (hostile, plain) in Shapes(s).Zip(Shapes("plain")))
            {
                var sql = FilterSql.Compile(hostile, new SqlParameters());

                Assert.Equal(FilterSql.Compile(plain, new SqlParameters()), sql);
                if (s is not "$1" and not "null")
                {
                    // "$1" and "null" are also placeholder and constant text; the equality above covers them.
                    Assert.DoesNotContain(s, sql, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public async Task SearchAndDelete_HostileKeysAndValues_SelectExactlyTheirDocumentAndHarmNothing()
    {
        var records = Hostile.Select((s, i) => Record($"h{i}", s, [1, i], (s, s), ("n", (long)i))).ToArray();
        await _store.UpsertAsync(records, Ct);

        for (var i = 0; i < Hostile.Length; i++)
        {
            var s = Hostile[i];
            Assert.Equal([$"h{i}"], await IdsAsync(MetadataFilter.Eq(s, s)));
            Assert.Equal([$"h{i}"], await IdsAsync(MetadataFilter.In(s, "other", s)));
            Assert.Equal([$"h{i}"], await IdsAsync(MetadataFilter.Range(s, s, s)));
            Assert.Equal([$"h{i}"], await IdsAsync(MetadataFilter.Exists(s)));
            Assert.Equal(Hostile.Length - 1, (await IdsAsync(MetadataFilter.Ne(s, s))).Length);
            Assert.Empty(await IdsAsync(MetadataFilter.Eq(s, s + "'")));
        }

        Assert.Equal(1, await _store.DeleteAsync(VectorSelection.Where(MetadataFilter.Eq(Hostile[0], Hostile[0])), Ct));
        Assert.Equal(Hostile.Length - 1, await _store.CountAsync(cancellationToken: Ct));
        Assert.Equal(Hostile[1], (await _store.SearchAsync(new float[] { 1, 1 }, new VectorSearchOptions { Top = 1, Filter = MetadataFilter.Eq("n", 1) }, Ct))[0].Document.Content);
    }

    [Fact]
    public async Task Compile_RandomFiltersOverRandomMetadata_SelectWhatMatchesSelectsInMemory()
    {
        var random = new Random(20240611);
        var documents = Enumerable.Range(0, 60).Select(i => new Document($"d{i:00}", "x", RandomMetadata(random))).ToArray();
        await _store.UpsertAsync(documents.Select(d => new VectorRecord(d, new float[] { 1, 0 })).ToArray(), Ct);

        for (var round = 0; round < 250; round++)
        {
            var filter = RandomFilter(random, depth: 0);
            var expected = documents.Where(d => filter.Matches(d.Metadata)).Select(d => d.Id).Order(StringComparer.Ordinal).ToArray();

            var actual = await IdsAsync(filter);

            Assert.True(expected.SequenceEqual(actual), $"{filter}: SQL selected [{string.Join(", ", actual)}], in memory [{string.Join(", ", expected)}]");
        }
    }

    [Fact]
    public async Task Compile_DatesStoredAsTextAndDoubles_DoNotMatchStringFilters()
    {
        var date = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(2));
        await _store.UpsertAsync(
        [
            Record("date", "x", [1, 0], ("k", date)),
            Record("text", "x", [1, 0], ("k", MetadataJson.FormatDate(date))),
            Record("inf", "x", [1, 0], ("k", double.PositiveInfinity)),
            Record("infText", "x", [1, 0], ("k", "Infinity")),
        ], Ct);

        Assert.Equal(["text"], await IdsAsync(MetadataFilter.Eq("k", MetadataJson.FormatDate(date))));
        Assert.Equal(["date"], await IdsAsync(MetadataFilter.Eq("k", date.ToUniversalTime())));
        Assert.Equal(["inf"], await IdsAsync(MetadataFilter.Eq("k", double.PositiveInfinity)));
        Assert.Equal(["infText"], await IdsAsync(MetadataFilter.Eq("k", "Infinity")));
        Assert.Equal(["inf"], await IdsAsync(MetadataFilter.Gt("k", 1e300)));
        Assert.Equal(["date"], await IdsAsync(MetadataFilter.Lt("k", date.AddTicks(10)))); // timestamptz keeps microseconds
    }

    private static IEnumerable<MetadataFilter> Shapes(string s) =>
    [
        MetadataFilter.Eq(s, s),
        MetadataFilter.Ne(s, s),
        MetadataFilter.In(s, s, s),
        MetadataFilter.Range(s, s, s),
        MetadataFilter.Gt(s, 1),
        MetadataFilter.Lt(s, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        MetadataFilter.Eq(s, true),
        MetadataFilter.Exists(s),
        !MetadataFilter.Eq(s, s) | MetadataFilter.Eq(s, 2.5),
    ];

    private async Task<string[]> IdsAsync(MetadataFilter filter)
    {
        var results = await _store.SearchAsync(new float[] { 1, 0 }, new VectorSearchOptions { Top = 1000, Filter = filter }, Ct);
        return Ids(results).Order(StringComparer.Ordinal).ToArray();
    }

    private static readonly string[] Keys = ["a", "b", "c"];
    private static readonly string[] Strings = ["", "x", "y", "Y", "中", "中文", "10", "2024-01-01T00:00:00.0000000+00:00"];
    private static readonly DateTimeOffset[] Dates =
    [
        new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
        new(2024, 1, 1, 8, 0, 0, TimeSpan.FromHours(8)),
        new(2023, 6, 1, 0, 0, 0, TimeSpan.FromHours(-5)),
        new(2025, 2, 3, 4, 5, 6, TimeSpan.Zero),
    ];

    private static readonly double[] Doubles = [0.5, 1.0, 10.0, -2.25, double.PositiveInfinity, double.NegativeInfinity, double.NaN];

    private static object? RandomValue(Random random) => random.Next(9) switch
    {
        0 => Strings[random.Next(Strings.Length)],
        1 => (long)random.Next(-2, 12),
        2 => Doubles[random.Next(Doubles.Length)],
        3 => random.Next(2) == 0,
        4 => Dates[random.Next(Dates.Length)],
        5 => Enumerable.Range(0, random.Next(3)).Select(_ => Strings[random.Next(Strings.Length)]).ToArray(),
        6 => null,
        _ => Strings[random.Next(3)],
    };

    private static DocumentMetadata RandomMetadata(Random random)
    {
        var entries = new List<KeyValuePair<string, object?>>();
        foreach (var key in Keys)
        {
            if (random.Next(4) != 0)
            {
                entries.Add(new(key, RandomValue(random)));
            }
        }

        return new DocumentMetadata(entries);
    }

    private static object RandomScalar(Random random)
    {
        while (true)
        {
            if (RandomValue(random) is { } value and not string[])
            {
                return value;
            }
        }
    }

    private static MetadataFilter RandomFilter(Random random, int depth)
    {
        var key = Keys[random.Next(Keys.Length)];
        var choice = random.Next(depth >= 2 ? 6 : 9);
        switch (choice)
        {
            case 0:
                return MetadataFilter.Eq(key, RandomScalar(random));
            case 1:
                return MetadataFilter.Ne(key, RandomScalar(random));
            case 2:
                return MetadataFilter.In(key, RandomScalar(random), RandomScalar(random));
            case 3:
                return MetadataFilter.Exists(key);
            case 4:
            case 5:
                while (true)
                {
                    var lo = random.Next(3) == 0 ? null : RandomScalar(random);
                    var hi = random.Next(3) == 0 ? null : RandomScalar(random);
                    try
                    {
                        return MetadataFilter.Range(key, lo, hi, random.Next(2) == 0, random.Next(2) == 0);
                    }
                    catch (ArgumentException)
                    {
                        // Bounds of different kinds, booleans or no bound at all: draw again.
                    }
                }

            case 6:
                return MetadataFilter.And(RandomFilter(random, depth + 1), RandomFilter(random, depth + 1));
            case 7:
                return MetadataFilter.Or(RandomFilter(random, depth + 1), RandomFilter(random, depth + 1), RandomFilter(random, depth + 1));
            default:
                return MetadataFilter.Not(RandomFilter(random, depth + 1));
        }
    }
}
