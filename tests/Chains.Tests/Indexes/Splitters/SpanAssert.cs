using Chains.Indexes;

namespace Chains.Tests.Indexes.Splitters;

internal static class SpanAssert
{
    /// <summary>Asserts that every chunk's span quotes its content exactly from <paramref name="source"/> and that no
    /// chunk starts or ends inside a surrogate pair.</summary>
    public static void QuotesSource(string source, IEnumerable<Document> chunks)
    {
        foreach (var chunk in chunks)
        {
            var span = Assert.NotNull(chunk.Span);
            Assert.Equal(chunk.Content, source.Substring(span.Start, span.Length));
            Assert.False(span.Start > 0 && char.IsLowSurrogate(source[span.Start]) && char.IsHighSurrogate(source[span.Start - 1]), $"{chunk.Id} starts inside a surrogate pair");
            Assert.False(span.End < source.Length && char.IsLowSurrogate(source[span.End]) && char.IsHighSurrogate(source[span.End - 1]), $"{chunk.Id} ends inside a surrogate pair");
        }
    }
}
