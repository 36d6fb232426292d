using System.Collections.Concurrent;

namespace Chains.Indexes.Retrievers;

/// <summary>An <see cref="IDocumentStore"/> in a concurrent dictionary: thread-safe, gone when the process ends.</summary>
public sealed class InMemoryDocumentStore : IDocumentStore
{
    private readonly ConcurrentDictionary<string, Document> _documents = new(StringComparer.Ordinal);

    /// <summary>Gets the number of stored documents.</summary>
    public int Count => _documents.Count;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is or holds <see langword="null"/>.</exception>
    public Task<IReadOnlyList<Document>> GetAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        var found = new List<Document>(ids.Count);
        foreach (var id in ids)
        {
            ArgumentNullException.ThrowIfNull(id, nameof(ids));
            if (_documents.TryGetValue(id, out var document))
            {
                found.Add(document);
            }
        }

        return Task.FromResult<IReadOnlyList<Document>>(found);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="documents"/> is or holds <see langword="null"/>.</exception>
    public Task SetAsync(IReadOnlyList<Document> documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        foreach (var document in documents)
        {
            ArgumentNullException.ThrowIfNull(document, nameof(documents));
        }

        cancellationToken.ThrowIfCancellationRequested();
        foreach (var document in documents)
        {
            _documents[document.Id] = document;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is or holds <see langword="null"/>.</exception>
    public Task<int> DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        var deleted = 0;
        foreach (var id in ids)
        {
            ArgumentNullException.ThrowIfNull(id, nameof(ids));
            if (_documents.TryRemove(id, out _))
            {
                deleted++;
            }
        }

        return Task.FromResult(deleted);
    }
}
