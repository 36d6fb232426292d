using Microsoft.ML.Tokenizers;

namespace Chains.Indexes.Splitters;

/// <summary>
/// Splits text into windows of <see cref="TokenTextSplitterOptions.ChunkSize"/> tokens, each starting
/// <c>ChunkSize - ChunkOverlap</c> tokens after the previous one, so chunks fit an embedding model's or a prompt's token
/// limit exactly. Works with any <see cref="Tokenizer"/> of Microsoft.ML.Tokenizers (tiktoken, BPE, SentencePiece,
/// WordPiece...) or with a delegate that returns token spans.
/// </summary>
/// <remarks>
/// A chunk runs from the first character of its first token to the last character of its last token, taken from the
/// token offsets, so every chunk is an exact slice of the content and its <see cref="Document.Span"/> locates it in the
/// original source. Where a tokenizer cuts inside a surrogate pair (byte-level BPE on emoji), the chunk is widened to
/// the whole character. Ids are <c>{document id}#chunk-{i}</c>; metadata is the document's plus the chunk index.
/// The splitter is immutable and thread-safe when the tokenizer is.
/// </remarks>
public sealed class TokenTextSplitter : ITextSplitter
{
    private readonly Func<string, IReadOnlyList<SourceSpan>> _tokenize;
    private readonly int _chunkSize;
    private readonly int _chunkOverlap;
    private readonly bool _trim;

    /// <summary>Initializes a splitter over a Microsoft.ML.Tokenizers tokenizer.</summary>
    /// <param name="tokenizer">The tokenizer; its token offsets give the chunk spans.</param>
    /// <param name="options">Size and overlap in tokens; <see langword="null"/> for 512 and 64.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tokenizer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><c>ChunkSize</c> is not positive, or <c>ChunkOverlap</c> is negative
    /// or not less than <c>ChunkSize</c>.</exception>
    public TokenTextSplitter(Tokenizer tokenizer, TokenTextSplitterOptions? options = null)
        : this(Offsets(tokenizer), options)
    {
    }

    /// <summary>Initializes a splitter over a tokenizer delegate.</summary>
    /// <param name="tokenize">Returns the spans of the tokens of a text, in order, as UTF-16 offsets into that text.</param>
    /// <param name="options">Size and overlap in tokens; <see langword="null"/> for 512 and 64.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tokenize"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><c>ChunkSize</c> is not positive, or <c>ChunkOverlap</c> is negative
    /// or not less than <c>ChunkSize</c>.</exception>
    public TokenTextSplitter(Func<string, IReadOnlyList<SourceSpan>> tokenize, TokenTextSplitterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenize);
        options ??= new TokenTextSplitterOptions();
        (_chunkSize, _chunkOverlap) = SplitterArguments.CheckSizes(options.ChunkSize, options.ChunkOverlap);
        _tokenize = tokenize;
        _trim = options.TrimWhitespace;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="document"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The tokenizer returned a span outside the text.</exception>
    public IReadOnlyList<Document> Split(Document document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var text = document.Content;
        var tokens = _tokenize(text);
        var chunks = new List<Document>();
        int lastStart = -1, lastEnd = -1;
        var step = _chunkSize - _chunkOverlap;
        for (var first = 0; first < tokens.Count; first += step)
        {
            var last = Math.Min(first + _chunkSize, tokens.Count);
            int start = int.MaxValue, end = int.MinValue;
            for (var i = first; i < last; i++)
            {
                var token = tokens[i];
                if (token.Start < 0 || token.Length < 0 || token.End > text.Length)
                {
                    throw new InvalidOperationException($"The tokenizer returned the span {token} for a text of {text.Length} characters.");
                }

                start = Math.Min(start, token.Start);
                end = Math.Max(end, token.End);
            }

            (start, end) = WidenToCharacters(text, start, end);
            if (_trim)
            {
                (start, end) = ChunkFactory.Trim(text, start, end);
            }

            if (end > start && !(start >= lastStart && end <= lastEnd))
            {
                chunks.Add(ChunkFactory.Create(document, chunks.Count, start, end - start));
                (lastStart, lastEnd) = (start, end);
            }

            if (last == tokens.Count)
            {
                break;
            }
        }

        return chunks;
    }

    private static (int Start, int End) WidenToCharacters(string text, int start, int end)
    {
        if (start > 0 && char.IsLowSurrogate(text[start]) && char.IsHighSurrogate(text[start - 1]))
        {
            start--;
        }

        if (end < text.Length && end > 0 && char.IsHighSurrogate(text[end - 1]) && char.IsLowSurrogate(text[end]))
        {
            end++;
        }

        return (start, end);
    }

    private static Func<string, IReadOnlyList<SourceSpan>> Offsets(Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return text =>
        {
            var tokens = tokenizer.EncodeToTokens(text, out var normalized);
            if (normalized is not null && normalized.Length != text.Length)
            {
                // Offsets of a normalizer that changes the length point into the normalized text; tokenize the text as
                // written so chunks stay slices of the source.
                tokens = tokenizer.EncodeToTokens(text, out _, considerNormalization: false);
            }

            var spans = new SourceSpan[tokens.Count];
            for (var i = 0; i < spans.Length; i++)
            {
                var (offset, length) = tokens[i].Offset.GetOffsetAndLength(text.Length);
                spans[i] = new SourceSpan(offset, length);
            }

            return spans;
        };
    }
}
