using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>Options of <see cref="ChatRelevanceReranker"/>, validated when the reranker is created.</summary>
public sealed record ChatRelevanceRerankerOptions
{
    /// <summary>Gets the default instructions: reply with one integer from 0 to 10.</summary>
    public static string DefaultInstructions { get; } =
        "You judge how relevant a document is to a search query, in any language. Reply with a single integer from 0 " +
        "(unrelated) to 10 (answers the query directly) and nothing else.";

    /// <summary>Gets the lowest score (0–10) a kept document has (default 0: keep all, only reorder).</summary>
    public double MinScore { get; init; }

    /// <summary>Gets how many documents to keep at most, or <see langword="null"/> for all that pass.</summary>
    public int? Top { get; init; }

    /// <summary>Gets how many documents are scored at the same time (default 4).</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Gets the system instructions; the user message holds the query and the document.</summary>
    public string Instructions { get; init; } = DefaultInstructions;

    /// <summary>Gets the chat options of each scoring call (model, temperature), or <see langword="null"/>.</summary>
    public ChatOptions? ChatOptions { get; init; }
}
