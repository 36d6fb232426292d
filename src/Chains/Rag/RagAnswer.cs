using Chains.Indexes;

namespace Chains.Rag;

/// <summary>
/// An answer grounded in retrieved passages: the text as the model wrote it (with its <c>[n]</c> markers), the numbered
/// passages, the passages it cited, and each sentence with its citations and whether the cited passages support it.
/// </summary>
/// <remarks>While streaming, snapshots have <see cref="IsComplete"/> <see langword="false"/>, the answer so far in
/// <see cref="Answer"/>, the newest text in <see cref="AnswerDelta"/>, and no <see cref="Sentences"/> or
/// <see cref="Citations"/> yet; the last snapshot is the complete, checked answer.</remarks>
public sealed record RagAnswer
{
    /// <summary>Gets the question the passages were retrieved for (for a conversation: the standalone question).</summary>
    public required string Question { get; init; }

    /// <summary>Gets the answer text as the model wrote it, citation markers included (while streaming: the text so far).</summary>
    public required string Answer { get; init; }

    /// <summary>Gets the passages shown to the model; passage number <c>n</c> is <c>Passages[n - 1]</c>.</summary>
    public required IReadOnlyList<Document> Passages { get; init; }

    /// <summary>Gets the passages the answer cites, by number, in ascending order; numbers that name no passage are left
    /// out (the sentences citing them are unsupported).</summary>
    public IReadOnlyList<RagCitation> Citations { get; init; } = [];

    /// <summary>Gets the answer's sentences with their citations and support check (empty until <see cref="IsComplete"/>).</summary>
    public IReadOnlyList<RagSentence> Sentences { get; init; } = [];

    /// <summary>Gets a value indicating whether this is the complete, checked answer rather than a streaming snapshot.</summary>
    public bool IsComplete { get; init; }

    /// <summary>Gets the text added since the previous streaming snapshot (empty on the complete answer).</summary>
    public string AnswerDelta { get; init; } = string.Empty;

    /// <summary>Gets a value indicating whether the answer is complete and every sentence is supported by its citations.</summary>
    public bool IsFullySupported => IsComplete && Sentences.All(s => s.Supported);
}

/// <summary>A passage the answer cites.</summary>
/// <param name="Number">The passage number used in the answer (<c>[Number]</c>), starting at 1.</param>
/// <param name="Passage">The passage, with its <see cref="Document.Source"/> and <see cref="Document.Span"/> to quote.</param>
public sealed record RagCitation(int Number, Document Passage);

/// <summary>One sentence of an answer and how well the passages it cites support it.</summary>
/// <param name="Text">The sentence without its citation markers.</param>
/// <param name="Span">Where the sentence, markers included, sits in <see cref="RagAnswer.Answer"/>.</param>
/// <param name="Citations">The passage numbers the sentence cites, in the order written (possibly numbers that name no passage).</param>
/// <param name="Supported">Whether the sentence cites only existing passages (and at least one, unless
/// <see cref="RetrievalQaOptions.RequireCitations"/> is off) and reaches <see cref="RetrievalQaOptions.MinLexicalOverlap"/>
/// or <see cref="RetrievalQaOptions.MinSemanticSimilarity"/> against them.</param>
/// <param name="LexicalOverlap">The share of the sentence's tokens (Latin words, CJK character bigrams) found in the cited
/// passages (every passage when it cites none), from 0 to 1.</param>
/// <param name="SemanticSimilarity">The highest cosine similarity between the sentence's embedding and a cited passage's,
/// or <see langword="null"/> when no embedding generator is configured.</param>
public sealed record RagSentence(string Text, SourceSpan Span, IReadOnlyList<int> Citations, bool Supported, double LexicalOverlap, double? SemanticSimilarity);
