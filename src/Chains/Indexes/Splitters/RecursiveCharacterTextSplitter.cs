using System.Globalization;

namespace Chains.Indexes.Splitters;

/// <summary>
/// Splits text into chunks of at most <see cref="RecursiveCharacterTextSplitterOptions.ChunkSize"/> by trying
/// separators in order (paragraphs, lines, sentence ends including Chinese <c>。！？；</c>, commas, spaces, characters)
/// and merging the pieces back into chunks with
/// <see cref="RecursiveCharacterTextSplitterOptions.ChunkOverlap"/> of overlap. LangChain's
/// <c>RecursiveCharacterTextSplitter</c>, with exact spans: every chunk is a slice of the document's content, and its
/// <see cref="Document.Span"/> locates it in the original source.
/// </summary>
/// <remarks>
/// Chunk ids are <c>{document id}#chunk-{i}</c>; chunk metadata is the document's plus
/// <see cref="Loaders.DocumentMetadataKeys.ChunkIndex"/>. A chunk's span is the document's span start plus the chunk's
/// offset in the content, or the offset alone when the document has no span. Separators stay at the end of the piece
/// they end, and the last resort splits between user-perceived characters, so a chunk never ends inside a surrogate
/// pair. The splitter is immutable and thread-safe.
/// </remarks>
public sealed class RecursiveCharacterTextSplitter : ITextSplitter
{
    private readonly int _chunkSize;
    private readonly int _chunkOverlap;
    private readonly string[] _separators;
    private readonly Func<string, int>? _length;
    private readonly bool _trim;

    /// <summary>Initializes a splitter.</summary>
    /// <param name="options">Size, overlap, separators and length function; <see langword="null"/> for the defaults
    /// (1000 characters, 200 overlap, <see cref="RecursiveCharacterTextSplitterOptions.DefaultSeparators"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><c>ChunkSize</c> is not positive, or <c>ChunkOverlap</c> is negative
    /// or not less than <c>ChunkSize</c>; the exception's parameter name and actual value name the bad option.</exception>
    /// <exception cref="ArgumentException"><c>Separators</c> is empty or holds <see langword="null"/>.</exception>
    public RecursiveCharacterTextSplitter(RecursiveCharacterTextSplitterOptions? options = null)
    {
        options ??= new RecursiveCharacterTextSplitterOptions();
        (_chunkSize, _chunkOverlap) = SplitterArguments.CheckSizes(options.ChunkSize, options.ChunkOverlap);
        ArgumentNullException.ThrowIfNull(options.Separators, "options.Separators");
        _separators = [.. options.Separators];
        if (_separators.Length == 0 || Array.Exists(_separators, s => s is null))
        {
            throw new ArgumentException("Separators must hold at least one separator and no null entries; use \"\" to split between characters.", nameof(options));
        }

        _length = options.LengthFunction;
        _trim = options.TrimWhitespace;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="document"/> is <see langword="null"/>.</exception>
    public IReadOnlyList<Document> Split(Document document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var text = document.Content;
        var ranges = new List<(int Start, int End)>();
        SplitRange(text, 0, text.Length, 0, ranges);

        var chunks = new List<Document>(ranges.Count);
        int lastStart = -1, lastEnd = -1;
        foreach (var (rawStart, rawEnd) in ranges)
        {
            var (start, end) = _trim ? ChunkFactory.Trim(text, rawStart, rawEnd) : (rawStart, rawEnd);
            if (end <= start || (start >= lastStart && end <= lastEnd))
            {
                continue; // empty, or nothing the previous chunk did not already hold
            }

            chunks.Add(ChunkFactory.Create(document, chunks.Count, start, end - start));
            (lastStart, lastEnd) = (start, end);
        }

        return chunks;
    }

    private void SplitRange(string text, int start, int end, int firstSeparator, List<(int Start, int End)> output)
    {
        var span = text.AsSpan(start, end - start);
        var chosen = _separators.Length - 1;
        var next = _separators.Length;
        for (var i = firstSeparator; i < _separators.Length; i++)
        {
            var separator = _separators[i];
            if (separator.Length == 0)
            {
                chosen = i;
                break;
            }

            if (span.IndexOf(separator, StringComparison.Ordinal) >= 0)
            {
                chosen = i;
                next = i + 1;
                break;
            }
        }

        var good = new List<Piece>();
        foreach (var (pieceStart, pieceEnd) in Pieces(text, start, end, _separators[chosen]))
        {
            var length = Measure(text, pieceStart, pieceEnd);
            if (length <= _chunkSize)
            {
                good.Add(new Piece(pieceStart, pieceEnd, length));
                continue;
            }

            Merge(good, output);
            good.Clear();
            if (next >= _separators.Length)
            {
                output.Add((pieceStart, pieceEnd)); // nothing left to split with: an oversized chunk
            }
            else
            {
                SplitRange(text, pieceStart, pieceEnd, next, output);
            }
        }

        Merge(good, output);
    }

    /// <summary>Merges consecutive pieces into chunks of at most the chunk size, carrying the overlap forward.</summary>
    private void Merge(List<Piece> pieces, List<(int Start, int End)> output)
    {
        var head = 0;
        var total = 0;
        for (var i = 0; i < pieces.Count; i++)
        {
            var piece = pieces[i];
            if (total + piece.Length > _chunkSize && head < i)
            {
                output.Add((pieces[head].Start, pieces[i - 1].End));
                while (head < i && (total > _chunkOverlap || total + piece.Length > _chunkSize))
                {
                    total -= pieces[head].Length;
                    head++;
                }
            }

            total += piece.Length;
        }

        if (head < pieces.Count)
        {
            output.Add((pieces[head].Start, pieces[^1].End));
        }
    }

    private int Measure(string text, int start, int end)
        => _length is null ? end - start : _length(text.Substring(start, end - start));

    /// <summary>Cuts <c>text[start..end)</c> after each occurrence of <paramref name="separator"/>, or between text
    /// elements when it is empty. The pieces cover the range exactly.</summary>
    private static IEnumerable<(int Start, int End)> Pieces(string text, int start, int end, string separator)
    {
        var position = start;
        if (separator.Length == 0)
        {
            while (position < end)
            {
                var length = StringInfo.GetNextTextElementLength(text.AsSpan(position, end - position));
                yield return (position, position + length);
                position += length;
            }

            yield break;
        }

        while (position < end)
        {
            var found = text.AsSpan(position, end - position).IndexOf(separator, StringComparison.Ordinal);
            var pieceEnd = found < 0 ? end : position + found + separator.Length;
            yield return (position, pieceEnd);
            position = pieceEnd;
        }
    }

    private readonly record struct Piece(int Start, int End, int Length);
}
