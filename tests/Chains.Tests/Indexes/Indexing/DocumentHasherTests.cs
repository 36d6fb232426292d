using Chains.Indexes;
using Chains.Indexes.Indexing;

namespace Chains.Tests.Indexes.Indexing;

public sealed class DocumentHasherTests
{
    [Fact]
    public void Hash_MetadataInAnotherOrder_IsTheSame()
    {
        var a = new Document("x", "text", new DocumentMetadata([new("lang", "en"), new("year", 2024)]));
        var b = new Document("y", "text", new DocumentMetadata([new("year", 2024), new("lang", "en")]));

        Assert.Equal(DocumentHasher.Hash(a), DocumentHasher.Hash(b));
        Assert.Matches("^[0-9a-f]{64}$", DocumentHasher.Hash(a));
    }

    [Theory]
    [InlineData("content")]
    [InlineData("source")]
    [InlineData("span")]
    [InlineData("metadata value")]
    [InlineData("metadata type")]
    public void Hash_OneFieldChanged_Differs(string field)
    {
        var baseline = new Document("x", "text", new DocumentMetadata([new("n", 1)]), "a.txt", new SourceSpan(0, 4));
        var changed = field switch
        {
            "content" => baseline with { Content = "text!" },
            "source" => baseline with { Source = "b.txt" },
            "span" => baseline with { Span = new SourceSpan(1, 4) },
            "metadata value" => baseline with { Metadata = new DocumentMetadata([new("n", 2)]) },
            _ => baseline with { Metadata = new DocumentMetadata([new("n", "1")]) },
        };

        Assert.NotEqual(DocumentHasher.Hash(baseline), DocumentHasher.Hash(changed));
    }

    [Fact]
    public void Hash_FieldBoundariesShifted_Differs()
    {
        var a = new Document("x", "ab", new DocumentMetadata([new("k", "c")]));
        var b = new Document("x", "a", new DocumentMetadata([new("k", "bc")]));

        Assert.NotEqual(DocumentHasher.Hash(a), DocumentHasher.Hash(b));
    }

    [Fact]
    public void Hash_ChineseContent_IsStable()
        => Assert.Equal(DocumentHasher.Hash(new Document("a", "中文文档")), DocumentHasher.Hash(new Document("b", "中文文档")));
}
