using System.Text;
using Chains.Indexes;
using Chains.Indexes.Loaders;
using Chains.Indexes.Splitters;
using Microsoft.ML.Tokenizers;

namespace Chains.Tests.Indexes.Splitters;

public sealed class TokenTextSplitterTests
{
    private const string Mixed = "The river flows east. 大江东去，浪淘尽，千古风流人物。 Emoji 😀👍 end.";

    /// <summary>A tokenizer delegate: ASCII words, and every other non-space character (surrogate pairs whole) alone.</summary>
    private static IReadOnlyList<SourceSpan> WordsAndCharacters(string text)
    {
        var spans = new List<SourceSpan>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            else if (char.IsAsciiLetterOrDigit(text[i]))
            {
                var start = i;
                while (i < text.Length && char.IsAsciiLetterOrDigit(text[i]))
                {
                    i++;
                }

                spans.Add(new SourceSpan(start, i - start));
            }
            else
            {
                var length = char.IsHighSurrogate(text[i]) ? 2 : 1;
                spans.Add(new SourceSpan(i, length));
                i += length;
            }
        }

        return spans;
    }

    /// <summary>A real Microsoft.ML.Tokenizers tiktoken tokenizer over a tiny byte-level vocabulary (all 256 bytes plus
    /// a few merges), so Chinese characters and emoji become several byte tokens each.</summary>
    private static Tokenizer ByteLevelTiktoken()
    {
        var vocabulary = new StringBuilder();
        var rank = 0;
        for (var b = 0; b < 256; b++)
        {
            vocabulary.Append(Convert.ToBase64String([(byte)b])).Append(' ').Append(rank++).Append('\n');
        }

        foreach (var merge in (string[])["Th", "The", "ri", "ver", "en", "end"])
        {
            vocabulary.Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(merge))).Append(' ').Append(rank++).Append('\n');
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(vocabulary.ToString()));
        return TiktokenTokenizer.Create(stream, preTokenizer: null, normalizer: null);
    }

    [Theory]
    [InlineData(0, 0, "ChunkSize")]
    [InlineData(4, 4, "ChunkOverlap")]
    [InlineData(4, -1, "ChunkOverlap")]
    public void Constructor_InvalidSizes_ThrowNamingTheValue(int size, int overlap, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new TokenTextSplitter(WordsAndCharacters, new TokenTextSplitterOptions { ChunkSize = size, ChunkOverlap = overlap }));

        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void Split_DelegateTokenizer_WindowsOfTokensWithOverlapAndExactSpans()
    {
        var splitter = new TokenTextSplitter(WordsAndCharacters, new TokenTextSplitterOptions { ChunkSize = 6, ChunkOverlap = 2 });
        var tokens = WordsAndCharacters(Mixed);

        var chunks = splitter.Split(new Document("doc", Mixed));

        SpanAssert.QuotesSource(Mixed, chunks);
        Assert.Equal((tokens.Count - 2 + 3) / 4, chunks.Count);
        Assert.Equal("The river flows east. 大", chunks[0].Content);
        Assert.Equal(". 大江东去，", chunks[1].Content);
        Assert.All(chunks, c => Assert.InRange(WordsAndCharacters(c.Content).Count, 1, 6));
        Assert.Equal(Enumerable.Range(0, chunks.Count).Select(i => $"doc#chunk-{i}"), chunks.Select(c => c.Id));
        Assert.Equal(1L, chunks[1].Metadata.GetInt64(DocumentMetadataKeys.ChunkIndex));
        Assert.Contains("😀👍", chunks[^2].Content + chunks[^1].Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_TiktokenByteTokens_SpansCoverWholeCharacters()
    {
        var tokenizer = ByteLevelTiktoken();
        var splitter = new TokenTextSplitter(tokenizer, new TokenTextSplitterOptions { ChunkSize = 5, ChunkOverlap = 1 });
        var source = "prefix\n" + Mixed;
        var parent = new Document("doc", Mixed, span: new SourceSpan(7, Mixed.Length));

        var chunks = splitter.Split(parent);

        Assert.True(chunks.Count > 10);
        SpanAssert.QuotesSource(source, chunks);
        Assert.All(chunks, c => Assert.DoesNotContain('\uFFFD', c.Content));
        for (var i = 1; i < chunks.Count; i++)
        {
            var gap = source[chunks[i - 1].Span!.Value.End..Math.Max(chunks[i - 1].Span!.Value.End, chunks[i].Span!.Value.Start)];
            Assert.True(string.IsNullOrWhiteSpace(gap), $"text '{gap}' lost before chunk {i}");
        }

        Assert.StartsWith("The", chunks[0].Content, StringComparison.Ordinal);
        Assert.EndsWith("end.", chunks[^1].Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_TokenizerSpanOutsideText_Throws()
    {
        var splitter = new TokenTextSplitter(_ => [new SourceSpan(0, 100)], new TokenTextSplitterOptions { ChunkSize = 2, ChunkOverlap = 0 });

        Assert.Throws<InvalidOperationException>(() => splitter.Split(new Document("d", "short")));
    }

    [Fact]
    public void Split_NoTokens_NoChunks()
    {
        var splitter = new TokenTextSplitter(WordsAndCharacters);

        Assert.Empty(splitter.Split(new Document("d", "   ")));
    }

    [Fact]
    public void Split_FewerTokensThanChunk_OneTrimmedChunk()
    {
        var splitter = new TokenTextSplitter(WordsAndCharacters, new TokenTextSplitterOptions { ChunkSize = 50, ChunkOverlap = 10 });

        var chunk = Assert.Single(splitter.Split(new Document("d", "  a b c  ")));

        Assert.Equal("a b c", chunk.Content);
        Assert.Equal(new SourceSpan(2, 5), chunk.Span);
    }
}
