using Chains.Indexes;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="MetadataJson"/>: plain JSON for containment queries plus type tags for what JSON cannot tell.</summary>
public sealed class MetadataJsonTests
{
    [Fact]
    public void Write_TypedValues_TagsOnlyDatesAndDoubles()
    {
        var metadata = new DocumentMetadata(new Dictionary<string, object?>
        {
            ["s"] = "中文 \"q\"",
            ["l"] = 3L,
            ["d"] = 3.0,
            ["t"] = new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.FromHours(-3)),
            ["b"] = true,
            ["list"] = new[] { "x" },
            ["n"] = null,
        });

        var (values, types) = MetadataJson.Write(metadata);

        Assert.Equal("""{"s":"中文 \"q\"","l":3,"d":3,"t":"2024-02-29T23:59:59.0000000-03:00","b":true,"list":["x"],"n":null}""", values);
        Assert.Equal("""{"d":"double","t":"date"}""", types);
    }

    [Fact]
    public void Read_WhatWriteWrote_RoundTripsTypesIncludingNonFiniteAndIntegralDoubles()
    {
        var metadata = new DocumentMetadata(new Dictionary<string, object?>
        {
            ["integral"] = 2.0,
            ["nan"] = double.NaN,
            ["inf"] = double.NegativeInfinity,
            ["big"] = long.MaxValue,
            ["date"] = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.FromHours(5.5)),
            ["empty"] = Array.Empty<string>(),
        });
        var (values, types) = MetadataJson.Write(metadata);

        var back = MetadataJson.Read(values, types);

        Assert.Equal(metadata, back);
        Assert.IsType<double>(back["integral"]);
        Assert.True(double.IsNaN((double)back["nan"]!));
        Assert.Equal(long.MaxValue, back["big"]);
        Assert.Equal(TimeSpan.FromHours(5.5), ((DateTimeOffset)back["date"]!).Offset);
    }

    [Fact]
    public void Read_JsonFromPostgresWithReorderedKeysAndSpacing_ReadsTheSameMetadata()
    {
        var back = MetadataJson.Read("""{"b": 1.5, "a": ["x", "y"], "c": 7}""", """{"b": "double"}""");

        Assert.Equal(1.5, back["b"]);
        Assert.Equal(["x", "y"], (string[])back["a"]!);
        Assert.Equal(7L, back["c"]);
    }

    [Fact]
    public void Object_KeyAndValue_EscapesThemAsJson()
        => Assert.Equal("""{"k'\"; --":"v\\"}""", MetadataJson.Object("k'\"; --", "v\\"));
}
