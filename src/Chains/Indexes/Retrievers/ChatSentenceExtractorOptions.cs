using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>Options of <see cref="ChatSentenceExtractor"/>, validated when the extractor is created.</summary>
public sealed record ChatSentenceExtractorOptions
{
    /// <summary>The answer by which the model says a document has nothing relevant.</summary>
    public const string NoOutput = "NO_OUTPUT";

    /// <summary>Gets the default instructions: copy the relevant sentences word for word, in the document's language, or answer
    /// <see cref="NoOutput"/>.</summary>
    public static string DefaultInstructions { get; } =
        "Copy from the document, word for word, only the sentences that help answer the question. Do not translate, " +
        "change or add anything, and keep the document's language (Chinese stays Chinese). If nothing in the document " +
        "helps, reply exactly " + NoOutput + ".";

    /// <summary>Gets how many documents are processed at the same time (default 4).</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Gets the system instructions; the user message holds the question and the document.</summary>
    public string Instructions { get; init; } = DefaultInstructions;

    /// <summary>Gets the chat options of each call (model, temperature), or <see langword="null"/>.</summary>
    public ChatOptions? ChatOptions { get; init; }
}
