namespace Chains.Pgvector.Tests;

/// <summary><see cref="PgvectorStoreOptions"/> and its parts: every bad value is refused with a message naming it.</summary>
public sealed class PgvectorStoreOptionsTests
{
    public static TheoryData<string, PgvectorStoreOptions> BadOptions => new()
    {
        { "Table", new() { Dimensions = 3, Table = "Docs" } },
        { "Table", new() { Dimensions = 3, Table = "docs; DROP TABLE x" } },
        { "Table", new() { Dimensions = 3, Table = "\"quoted\"" } },
        { "Table", new() { Dimensions = 3, Table = new string('a', 49) } },
        { "Table", new() { Dimensions = 3, Table = "chains_pgvector_tables" } },
        { "Schema", new() { Dimensions = 3, Schema = "my-schema" } },
        { "Schema", new() { Dimensions = 3, Schema = "" } },
        { "Dimensions", new() { Dimensions = 0 } },
        { "Dimensions", new() { Dimensions = 16001, Index = PgvectorIndex.None } },
        { "Dimensions", new() { Dimensions = 2001 } },
        { "Dimensions", new() { Dimensions = 4001, HalfPrecision = true } },
        { "TextSearchConfig", new() { Dimensions = 3, TextSearchConfig = "english'; --" } },
        { "Query", new() { Dimensions = 3, Index = PgvectorIndex.IvfFlat(10), Query = new() { Probes = 11 } } },
        { "CopyThreshold", new() { Dimensions = 3, CopyThreshold = 0 } },
        { "BulkBatchSize", new() { Dimensions = 3, BulkBatchSize = 0 } },
        { "IndexBuildMemoryMegabytes", new() { Dimensions = 3, IndexBuildMemoryMegabytes = 0 } },
        { "Distance", new() { Dimensions = 3, Distance = (PgvectorDistance)42 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_BadValue_ThrowsArgumentExceptionNamingIt(string option, PgvectorStoreOptions options)
    {
        var ex = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(option, ex.ParamName);
        Assert.Contains($"PgvectorStoreOptions.{option}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LargeDimensionsWithHalfPrecisionOrNoIndex_Passes()
    {
        new PgvectorStoreOptions { Dimensions = 4000, HalfPrecision = true }.Validate();
        new PgvectorStoreOptions { Dimensions = 16000, Index = PgvectorIndex.None }.Validate();
        new PgvectorStoreOptions { Dimensions = 2000, Schema = "_s1", Table = "t_2" }.Validate();
    }

    [Fact]
    public void Validate_TooManyDimensionsForAVectorIndex_SuggestsHalfPrecision()
    {
        var ex = Assert.Throws<ArgumentException>(new PgvectorStoreOptions { Dimensions = 3072 }.Validate);

        Assert.Contains("HalfPrecision = true", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hnsw_ParametersOutsidePgvectorLimits_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PgvectorIndex.Hnsw(m: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PgvectorIndex.Hnsw(m: 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => PgvectorIndex.Hnsw(m: 16, efConstruction: 31));
        Assert.Throws<ArgumentOutOfRangeException>(() => PgvectorIndex.IvfFlat(0));
        Assert.Equal("hnsw (m = 24, ef_construction = 100)", PgvectorIndex.Hnsw(24, 100).ToString());
        Assert.Equal("ivfflat (lists = 7)", PgvectorIndex.IvfFlat(7).ToString());
    }

    [Fact]
    public void QueryOptions_OutOfRangeValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PgvectorQueryOptions { EfSearch = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PgvectorQueryOptions { EfSearch = 1001 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PgvectorQueryOptions { Probes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PgvectorRetryOptions { MaxRetries = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PgvectorRetryOptions { InitialDelay = TimeSpan.FromSeconds(-1) });
    }

    [Fact]
    public void QueryOptions_Over_TakesUnsetValuesFromDefaults()
    {
        var merged = new PgvectorQueryOptions { EfSearch = 100 }.Over(new PgvectorQueryOptions { EfSearch = 40, IterativeScan = PgvectorIterativeScan.StrictOrder, Probes = 3 });

        Assert.Equal(new PgvectorQueryOptions { EfSearch = 100, IterativeScan = PgvectorIterativeScan.StrictOrder, Probes = 3 }, merged);
    }
}
