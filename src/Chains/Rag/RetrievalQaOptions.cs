using Chains.Prompts;
using Microsoft.Extensions.AI;

namespace Chains.Rag;

/// <summary>Options of <see cref="RetrievalQa"/>, checked when the chain is created.</summary>
public sealed record RetrievalQaOptions
{
    /// <summary>Gets the prompt, which must use exactly the variables <c>{question}</c> and <c>{context}</c> (the numbered
    /// passages); <see cref="RetrievalQa.DefaultPrompt"/> when <see langword="null"/>.</summary>
    public ChatPromptTemplate? Prompt { get; init; }

    /// <summary>Gets the chat options of the answering call, or <see langword="null"/>.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Gets an embedding generator for the semantic support check, or <see langword="null"/> to check lexically only.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; init; }

    /// <summary>Gets the share of a sentence's tokens that must appear in its cited passages for it to be supported
    /// (0 to 1; default 0.5).</summary>
    public double MinLexicalOverlap { get; init; } = 0.5;

    /// <summary>Gets the cosine similarity to a cited passage that makes a sentence supported when
    /// <see cref="EmbeddingGenerator"/> is set, whatever its lexical overlap (-1 to 1; default 0.75).</summary>
    public double MinSemanticSimilarity { get; init; } = 0.75;

    /// <summary>Gets a value indicating whether a sentence must cite a passage to be supported (default
    /// <see langword="true"/>); when <see langword="false"/>, an uncited sentence is checked against every passage.</summary>
    public bool RequireCitations { get; init; } = true;
}
