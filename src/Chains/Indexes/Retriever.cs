using Chains.Runnables;

namespace Chains.Indexes;

/// <summary>
/// Finds the documents relevant to a query: a step from a question to documents, so it composes like any runnable
/// (<c>Runnable.Assign(retriever, (q, docs) =&gt; ...)</c>). Similarity, MMR, hybrid, multi-query and parent-document
/// retrievers derive from it.
/// </summary>
public abstract class Retriever : Runnable<string, IReadOnlyList<Document>>
{
    /// <inheritdoc />
    protected internal override string StepKind => StepKinds.Retriever;
}
