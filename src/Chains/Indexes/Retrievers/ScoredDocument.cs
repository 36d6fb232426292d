namespace Chains.Indexes.Retrievers;

/// <summary>A document with a relevance score (higher is more relevant; the scale depends on who scored it).</summary>
/// <param name="Document">The document.</param>
/// <param name="Score">Its score.</param>
public readonly record struct ScoredDocument(Document Document, double Score);
