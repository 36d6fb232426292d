using Chains.Runnables;

namespace Chains.Indexes.Retrievers;

/// <summary>A keyword retriever over a <see cref="Bm25Index"/>: the best BM25 matches of the query.</summary>
public sealed class Bm25Retriever : Retriever
{
    /// <summary>Initializes a new retriever.</summary>
    /// <param name="index">The index to search.</param>
    /// <param name="top">How many documents to return at most (default 4).</param>
    /// <param name="filter">A metadata filter every match must pass, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> is less than 1.</exception>
    public Bm25Retriever(Bm25Index index, int top = 4, MetadataFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        Index = index;
        Top = top;
        Filter = filter;
    }

    /// <summary>Gets the index searched.</summary>
    public Bm25Index Index { get; }

    /// <summary>Gets how many documents are returned at most.</summary>
    public int Top { get; }

    /// <summary>Gets the metadata filter, or <see langword="null"/>.</summary>
    public MetadataFilter? Filter { get; }

    /// <inheritdoc />
    protected internal override ValueTask<IReadOnlyList<Document>> InvokeCoreAsync(string input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        var matches = Index.Search(input, Top, Filter);
        return ValueTask.FromResult<IReadOnlyList<Document>>(matches.Select(m => m.Document).ToArray());
    }
}
