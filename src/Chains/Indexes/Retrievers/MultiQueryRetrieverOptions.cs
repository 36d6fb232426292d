using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>Options of <see cref="MultiQueryRetriever"/>, validated when the retriever is created.</summary>
public sealed record MultiQueryRetrieverOptions
{
    /// <summary>Gets the default instructions; <c>{count}</c> is replaced by <see cref="QueryCount"/>. They ask for variants in
    /// the question's own language (a Chinese question gets Chinese variants), one per line.</summary>
    public static string DefaultInstructions { get; } =
        "You help search a document collection. Rewrite the user's question into {count} different search queries that " +
        "look at it from different angles (synonyms, more specific, more general), each keeping its meaning. " +
        "Write every query in the same language as the question: for a Chinese question, write Chinese queries. " +
        "Answer with the queries only, one per line, without numbering, bullets, quotes or explanations.";

    /// <summary>Gets how many variants the model writes (default 3).</summary>
    public int QueryCount { get; init; } = 3;

    /// <summary>Gets a value indicating whether the original question is searched too (default <see langword="true"/>).</summary>
    public bool IncludeOriginal { get; init; } = true;

    /// <summary>Gets the system instructions for the model; <c>{count}</c> is replaced by <see cref="QueryCount"/>.</summary>
    public string Instructions { get; init; } = DefaultInstructions;

    /// <summary>Gets the chat options of the rewrite call (model, temperature), or <see langword="null"/>.</summary>
    public ChatOptions? ChatOptions { get; init; }
}
