namespace Chains.Indexes.Splitters;

/// <summary>Options of a <see cref="RecursiveCharacterTextSplitter"/>; validated when the splitter is created.</summary>
public sealed record RecursiveCharacterTextSplitterOptions
{
    /// <summary>Gets the default separators, tried in order: paragraphs, lines, CJK sentence ends (<c>。！？；</c>), Latin
    /// sentence ends followed by a space, CJK and Latin commas, spaces, and finally single characters (<c>""</c>), so
    /// Chinese or Japanese text without spaces still splits at sentence ends before it falls back to characters.</summary>
    public static IReadOnlyList<string> DefaultSeparators { get; } =
        ["\n\n", "\n", "。", "！", "？", "；", ". ", "! ", "? ", "; ", "，", "、", ", ", " ", ""];

    /// <summary>Gets the largest chunk, measured by <see cref="LengthFunction"/> (characters by default). Must be positive.
    /// Defaults to 1000. A piece of text that cannot be split further (no separator left) may exceed it.</summary>
    public int ChunkSize { get; init; } = 1000;

    /// <summary>Gets how much of the end of one chunk is repeated at the start of the next, measured like
    /// <see cref="ChunkSize"/>. Must be at least 0 and less than <see cref="ChunkSize"/>. Defaults to 200.</summary>
    public int ChunkOverlap { get; init; } = 200;

    /// <summary>Gets the separators tried in order; the first one found in a text splits it and the rest split pieces
    /// that are still too long. A separator stays at the end of the piece it ends, so <c>。</c> stays with its sentence.
    /// The empty string splits into user-perceived characters (never inside a surrogate pair or a combining sequence).
    /// Defaults to <see cref="DefaultSeparators"/>.</summary>
    public IReadOnlyList<string> Separators { get; init; } = DefaultSeparators;

    /// <summary>Gets the function that measures a piece of text, for example a tokenizer's token count
    /// (<c>t =&gt; tokenizer.CountTokens(t)</c>). <see langword="null"/> (the default) counts UTF-16 characters. A chunk's
    /// length is taken as the sum of the lengths of its pieces.</summary>
    public Func<string, int>? LengthFunction { get; init; }

    /// <summary>Gets a value indicating whether white space at the start and end of each chunk is left out of the chunk
    /// (and of its span). Defaults to <see langword="true"/>.</summary>
    public bool TrimWhitespace { get; init; } = true;
}
