namespace Chains.Indexes;

/// <summary>
/// Stores documents with their embedding vectors and finds the nearest ones to a query vector. Implemented by the
/// in-process store (the embedded default) and by database back ends; every implementation passes the same contract
/// test suite.
/// </summary>
/// <remarks>Scores are similarities: higher is closer. For cosine distance the score is the cosine similarity.</remarks>
public interface IVectorStore
{
    /// <summary>Inserts records, replacing any with the same document id. All records are written or none.</summary>
    /// <param name="records">The records; every vector must have the store's dimension.</param>
    /// <param name="cancellationToken">A token that cancels the write.</param>
    /// <returns>A task that completes when the records are stored.</returns>
    /// <exception cref="ArgumentException">A vector has the wrong dimension or a record is null (nothing is written).</exception>
    Task UpsertAsync(IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Deletes the records selected by ids or by a metadata filter.</summary>
    /// <param name="selection">Which records to delete.</param>
    /// <param name="cancellationToken">A token that cancels the delete.</param>
    /// <returns>The number of records deleted.</returns>
    Task<int> DeleteAsync(VectorSelection selection, CancellationToken cancellationToken = default);

    /// <summary>Finds the records nearest to <paramref name="vector"/>.</summary>
    /// <param name="vector">The query vector.</param>
    /// <param name="options">How many results, a metadata filter and a minimum score.</param>
    /// <param name="cancellationToken">A token that cancels the search.</param>
    /// <returns>The matches, best first.</returns>
    /// <exception cref="ArgumentException">The vector has the wrong dimension.</exception>
    Task<IReadOnlyList<VectorSearchResult>> SearchAsync(ReadOnlyMemory<float> vector, VectorSearchOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>A document with its embedding.</summary>
/// <param name="Document">The document.</param>
/// <param name="Vector">The embedding of the document's content.</param>
public sealed record VectorRecord(Document Document, ReadOnlyMemory<float> Vector);

/// <summary>A search match.</summary>
/// <param name="Document">The matching document.</param>
/// <param name="Score">Its similarity to the query (higher is closer).</param>
public sealed record VectorSearchResult(Document Document, double Score)
{
    /// <summary>Gets the stored vector of the match when the search asked for it with
    /// <see cref="VectorSearchOptions.IncludeVectors"/>; empty otherwise. A store may keep vectors normalised (the
    /// in-process store does for cosine), so this vector has the stored direction, not necessarily the upserted length.</summary>
    public ReadOnlyMemory<float> Vector { get; init; }
}

/// <summary>Options of <see cref="IVectorStore.SearchAsync"/>.</summary>
public sealed record VectorSearchOptions
{
    private readonly int _top = 4;

    /// <summary>Gets how many matches to return at most (default 4).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Top
    {
        get => _top;
        init => _top = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Top), value, "Top must be at least 1.");
    }

    /// <summary>Gets a metadata filter every match must pass, or <see langword="null"/>.</summary>
    public MetadataFilter? Filter { get; init; }

    /// <summary>Gets the lowest score a match may have, or <see langword="null"/> for no minimum.</summary>
    public double? MinScore { get; init; }

    /// <summary>Gets a value indicating whether matches carry their vectors (for maximal marginal relevance).</summary>
    public bool IncludeVectors { get; init; }
}

/// <summary>Which records <see cref="IVectorStore.DeleteAsync"/> removes: by ids or by a metadata filter.</summary>
public sealed class VectorSelection
{
    private VectorSelection(IReadOnlyList<string>? ids, MetadataFilter? filter)
    {
        Ids = ids;
        Filter = filter;
    }

    /// <summary>Gets the ids to delete, or <see langword="null"/> when selecting by filter.</summary>
    public IReadOnlyList<string>? Ids { get; }

    /// <summary>Gets the filter selecting records to delete, or <see langword="null"/> when selecting by ids.</summary>
    public MetadataFilter? Filter { get; }

    /// <summary>Selects records by document id.</summary>
    /// <param name="ids">The ids.</param>
    /// <returns>The selection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is or holds <see langword="null"/>.</exception>
    public static VectorSelection ByIds(params IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var list = ids.ToArray();
        foreach (var id in list)
        {
            ArgumentNullException.ThrowIfNull(id, nameof(ids));
        }

        return new VectorSelection(list, null);
    }

    /// <summary>Selects records by metadata filter.</summary>
    /// <param name="filter">The filter.</param>
    /// <returns>The selection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="filter"/> is <see langword="null"/>.</exception>
    public static VectorSelection Where(MetadataFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return new VectorSelection(null, filter);
    }
}
