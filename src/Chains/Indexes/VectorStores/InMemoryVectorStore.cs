using System.Numerics.Tensors;

namespace Chains.Indexes.VectorStores;

/// <summary>
/// The embedded, in-process <see cref="IVectorStore"/>: exact nearest-neighbour search with SIMD
/// (<see cref="TensorPrimitives"/>) over vectors kept in one contiguous array, with optional persistence to a file
/// (<see cref="SaveAsync"/>, <see cref="LoadAsync"/>).
/// </summary>
/// <remarks>
/// <para>Vectors live in a single <see cref="float"/> array (row-major, grown by doubling) beside a parallel array of
/// documents, so a search is one sequential pass over memory; the best <c>k</c> are kept in a small heap, and a
/// metadata filter is evaluated during the pass, before a row is scored. For <see cref="VectorDistance.Cosine"/> vectors
/// are normalised when stored, so scoring is a dot product. Search is exact and single-threaded, and runs at about
/// memory bandwidth: a few milliseconds for 100,000 vectors of 384 dimensions (see VectorSearchBenchmarks).</para>
/// <para>The store is thread-safe: searches run concurrently with each other; upserts and deletes are exclusive.
/// Deleting a record moves the last record into its place, so storage stays dense.</para>
/// </remarks>
public sealed class InMemoryVectorStore : IVectorStore, IDisposable
{
    private const int InitialCapacity = 16;
    private const int CancellationCheckRows = 8192;

    private static readonly VectorSearchOptions DefaultSearchOptions = new();

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, int> _rows;
    private float[] _vectors;
    private Document[] _documents;
    private int _count;
    private int _dimension;
    private int _disposed;

    /// <summary>Initializes an empty store.</summary>
    /// <param name="options">The dimension and distance; <see langword="null"/> for cosine with the dimension taken
    /// from the first upsert.</param>
    /// <exception cref="ArgumentOutOfRangeException">The dimension is less than 1, or the distance is not a defined
    /// <see cref="VectorDistance"/>.</exception>
    public InMemoryVectorStore(InMemoryVectorStoreOptions? options = null)
    {
        options ??= new InMemoryVectorStoreOptions();
        if (options.Dimension is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Dimension, $"{nameof(InMemoryVectorStoreOptions)}.{nameof(InMemoryVectorStoreOptions.Dimension)} must be at least 1, or null to take it from the first upsert.");
        }

        if (!Enum.IsDefined(options.Distance))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Distance, $"{nameof(InMemoryVectorStoreOptions)}.{nameof(InMemoryVectorStoreOptions.Distance)} is not a defined {nameof(VectorDistance)}.");
        }

        Distance = options.Distance;
        _dimension = options.Dimension ?? 0;
        _rows = new Dictionary<string, int>(StringComparer.Ordinal);
        _vectors = [];
        _documents = [];
    }

    private InMemoryVectorStore(VectorDistance distance, int dimension, Document[] documents, float[] vectors, int count)
    {
        Distance = distance;
        _dimension = dimension;
        _vectors = vectors;
        _documents = new Document[Math.Max(count, InitialCapacity)];
        Array.Copy(documents, _documents, count);
        _count = count;
        _rows = new Dictionary<string, int>(count, StringComparer.Ordinal);
    }

    /// <summary>Gets how closeness is measured.</summary>
    public VectorDistance Distance { get; }

    /// <summary>Gets the number of dimensions of every stored vector, or <see langword="null"/> while it is not yet known
    /// (no dimension was configured and nothing has been upserted).</summary>
    public int? Dimension => Volatile.Read(ref _dimension) is var d and > 0 ? d : null;

    /// <summary>Gets the number of stored records.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Loads a store saved with <see cref="SaveAsync"/>. The file is verified (length and SHA-256 checksum)
    /// before anything is decoded.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">A token that cancels the load.</param>
    /// <returns>The store, with the distance and dimension it was saved with.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="VectorStoreFileException">The file is not a vector store file, is truncated (a torn write), fails
    /// its checksum or cannot be decoded; the message names the file and the problem.</exception>
    public static async Task<InMemoryVectorStore> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        var (distance, dimension, documents, vectors) = await VectorStoreFile.ReadAsync(fullPath, InitialCapacity, cancellationToken);
        var store = new InMemoryVectorStore(distance, dimension, documents, vectors, documents.Length);
        for (var row = 0; row < documents.Length; row++)
        {
            if (!store._rows.TryAdd(documents[row].Id, row))
            {
                throw new VectorStoreFileException(fullPath, $"document id '{documents[row].Id}' appears more than once.");
            }
        }

        return store;
    }

    /// <summary>Saves the store to a file: written to a temporary file in the same folder, flushed to disk and renamed
    /// over <paramref name="path"/>, so the file is always either the previous version or this one. The records are
    /// copied first (the store stays usable while the file is written), which briefly doubles their memory.</summary>
    /// <param name="path">The file; its folder must exist.</param>
    /// <param name="cancellationToken">A token that cancels the save (the previous file, if any, is kept).</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public async Task SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        cancellationToken.ThrowIfCancellationRequested();
        var fullPath = Path.GetFullPath(path);
        Document[] documents;
        float[] vectors;
        int dimension;
        ThrowIfDisposed();
        _lock.EnterReadLock();
        try
        {
            dimension = _dimension;
            documents = _documents.AsSpan(0, _count).ToArray();
            vectors = _vectors.AsSpan(0, _count * dimension).ToArray();
        }
        finally
        {
            _lock.ExitReadLock();
        }

        await VectorStoreFile.WriteAsync(fullPath, Distance, dimension, documents, vectors, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A record is null, or a vector has the wrong dimension or a value that is NaN or
    /// infinite; the message names the record. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public Task UpsertAsync(IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        try
        {
            Upsert(records, cancellationToken);
            return Task.CompletedTask;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="selection"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public Task<int> DeleteAsync(VectorSelection selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return cancellationToken.IsCancellationRequested ? Task.FromCanceled<int>(cancellationToken) : Task.FromResult(Delete(selection));
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="vector"/> has the wrong dimension or a NaN or infinite value.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    /// <remarks>The search runs on the calling thread and completes before the method returns; the token is checked
    /// every few thousand rows.</remarks>
    public Task<IReadOnlyList<VectorSearchResult>> SearchAsync(ReadOnlyMemory<float> vector, VectorSearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<VectorSearchResult>>(cancellationToken);
        }

        try
        {
            return Task.FromResult<IReadOnlyList<VectorSearchResult>>(Search(vector, options ?? DefaultSearchOptions, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<VectorSearchResult>>(cancellationToken);
        }
    }

    /// <summary>Waits for running operations to finish and releases the lock; later calls throw
    /// <see cref="ObjectDisposedException"/>. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _lock.EnterWriteLock();
        _lock.ExitWriteLock();
        _lock.Dispose();
    }

    private void Upsert(IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        // Validate and prepare every vector before taking the lock: a bad record leaves the store untouched.
        var dimension = Volatile.Read(ref _dimension);
        if (dimension == 0)
        {
            dimension = records[0]?.Vector.Length ?? -1;
        }

        var staged = Stage(records, dimension);
        cancellationToken.ThrowIfCancellationRequested();

        ThrowIfDisposed();
        _lock.EnterWriteLock();
        try
        {
            if (_dimension == 0)
            {
                Volatile.Write(ref _dimension, dimension);
            }
            else if (_dimension != dimension)
            {
                throw new ArgumentException($"The vectors have {dimension} dimensions but the store holds vectors of {_dimension}; nothing was written.", nameof(records));
            }

            EnsureCapacity(_count + records.Count);
            for (var i = 0; i < records.Count; i++)
            {
                var document = records[i].Document;
                if (!_rows.TryGetValue(document.Id, out var row))
                {
                    row = _count;
                    _rows.Add(document.Id, row);
                    Volatile.Write(ref _count, _count + 1);
                }

                staged.AsSpan(i * dimension, dimension).CopyTo(_vectors.AsSpan(row * dimension, dimension));
                _documents[row] = document;
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private int Delete(VectorSelection selection)
    {
        var deleted = 0;
        ThrowIfDisposed();
        _lock.EnterWriteLock();
        try
        {
            if (selection.Ids is { } ids)
            {
                foreach (var id in ids)
                {
                    if (_rows.TryGetValue(id, out var row))
                    {
                        RemoveRow(row);
                        deleted++;
                    }
                }
            }
            else if (selection.Filter is { } filter)
            {
                // Downwards, so the row moved into a hole has already been examined.
                for (var row = _count - 1; row >= 0; row--)
                {
                    if (filter.Matches(_documents[row].Metadata))
                    {
                        RemoveRow(row);
                        deleted++;
                    }
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        return deleted;
    }

    private VectorSearchResult[] Search(ReadOnlyMemory<float> vector, VectorSearchOptions options, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        _lock.EnterReadLock();
        try
        {
            if (_dimension == 0)
            {
                return [];
            }

            if (vector.Length != _dimension)
            {
                throw new ArgumentException($"The query vector has {vector.Length} dimensions but the store holds vectors of {_dimension}.", nameof(vector));
            }

            foreach (var value in vector.Span)
            {
                if (!float.IsFinite(value))
                {
                    throw new ArgumentException("The query vector has a NaN or infinite value.", nameof(vector));
                }
            }

            if (_count == 0)
            {
                return [];
            }

            var top = new TopK(Math.Min(options.Top, _count));
            var minScore = options.MinScore ?? double.NegativeInfinity;
            switch (Distance)
            {
                case VectorDistance.Euclidean:
                    Scan<EuclideanScorer>(vector.Span, options.Filter, minScore, top, cancellationToken);
                    break;
                case VectorDistance.Cosine:
                    var unit = vector.ToArray();
                    Normalize(unit);
                    Scan<DotScorer>(unit, options.Filter, minScore, top, cancellationToken);
                    break;
                default:
                    Scan<DotScorer>(vector.Span, options.Filter, minScore, top, cancellationToken);
                    break;
            }

            var best = top.ToSortedArray();
            var results = new VectorSearchResult[best.Length];
            for (var i = 0; i < best.Length; i++)
            {
                var (score, row) = best[i];
                results[i] = new VectorSearchResult(_documents[row], score)
                {
                    Vector = options.IncludeVectors ? _vectors.AsSpan(row * _dimension, _dimension).ToArray() : default,
                };
            }

            return results;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private void Scan<TScorer>(ReadOnlySpan<float> query, MetadataFilter? filter, double minScore, TopK top, CancellationToken cancellationToken)
        where TScorer : struct, IScorer
    {
        var dimension = _dimension;
        var vectors = _vectors.AsSpan(0, _count * dimension);
        var documents = _documents;
        var threshold = top.Threshold;
        for (int row = 0, offset = 0; offset < vectors.Length; row++, offset += dimension)
        {
            if (row % CancellationCheckRows == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (filter is not null && !filter.Matches(documents[row].Metadata))
            {
                continue;
            }

            var score = TScorer.Score(vectors.Slice(offset, dimension), query);
            if (score <= threshold || score < minScore)
            {
                continue;
            }

            top.Add(score, row);
            threshold = top.Threshold;
        }
    }

    private float[] Stage(IReadOnlyList<VectorRecord> records, int dimension)
    {
        if (dimension <= 0)
        {
            throw new ArgumentException(
                records[0] is null ? "records[0] is null. Nothing was written." : "records[0] has an empty vector; vectors need at least one dimension. Nothing was written.",
                nameof(records));
        }

        var staged = new float[checked(records.Count * dimension)];
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i] ?? throw new ArgumentException($"records[{i}] is null. Nothing was written.", nameof(records));
            if (record.Document is null)
            {
                throw new ArgumentException($"records[{i}] has no document. Nothing was written.", nameof(records));
            }

            var source = record.Vector.Span;
            if (source.Length != dimension)
            {
                throw new ArgumentException($"records[{i}] (id '{record.Document.Id}') has a vector of {source.Length} dimensions; the store holds vectors of {dimension}. Nothing was written.", nameof(records));
            }

            foreach (var value in source)
            {
                if (!float.IsFinite(value))
                {
                    throw new ArgumentException($"records[{i}] (id '{record.Document.Id}') has a NaN or infinite value in its vector. Nothing was written.", nameof(records));
                }
            }

            var target = staged.AsSpan(i * dimension, dimension);
            source.CopyTo(target);
            if (Distance == VectorDistance.Cosine)
            {
                Normalize(target);
            }
        }

        return staged;
    }

    private static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0 && float.IsFinite(norm))
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }

    private void EnsureCapacity(int needed)
    {
        if (_documents.Length >= needed && _vectors.Length >= needed * _dimension)
        {
            return;
        }

        var capacity = Math.Max(InitialCapacity, _documents.Length);
        while (capacity < needed)
        {
            capacity = capacity > int.MaxValue / 2 ? needed : capacity * 2;
        }

        var vectors = new float[checked(capacity * _dimension)];
        _vectors.AsSpan(0, _count * _dimension).CopyTo(vectors);
        var documents = new Document[capacity];
        Array.Copy(_documents, documents, _count);
        _vectors = vectors;
        _documents = documents;
    }

    private void RemoveRow(int row)
    {
        var last = _count - 1;
        _rows.Remove(_documents[row].Id);
        if (row != last)
        {
            var moved = _documents[last];
            _vectors.AsSpan(last * _dimension, _dimension).CopyTo(_vectors.AsSpan(row * _dimension, _dimension));
            _documents[row] = moved;
            _rows[moved.Id] = row;
        }

        _documents[last] = null!;
        Volatile.Write(ref _count, last);
    }

    private interface IScorer
    {
        static abstract float Score(ReadOnlySpan<float> stored, ReadOnlySpan<float> query);
    }

    private readonly struct DotScorer : IScorer
    {
        public static float Score(ReadOnlySpan<float> stored, ReadOnlySpan<float> query) => TensorPrimitives.Dot(stored, query);
    }

    private readonly struct EuclideanScorer : IScorer
    {
        public static float Score(ReadOnlySpan<float> stored, ReadOnlySpan<float> query) => 1f / (1f + TensorPrimitives.Distance(stored, query));
    }
}
