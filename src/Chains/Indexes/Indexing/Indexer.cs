using Microsoft.Extensions.AI;

namespace Chains.Indexes.Indexing;

/// <summary>
/// Keeps a vector store in step with a set of source documents, paying for embeddings only where something changed:
/// each source document's hash (content, source, span and metadata) is compared with its <see cref="IndexRecord"/>, an
/// unchanged document costs no embedding call and no write, a new or changed one is split, only its chunks not already
/// stored are embedded, and its stale chunks are deleted; in <see cref="IndexCleanupMode.Full"/> mode documents the run
/// did not see are removed.
/// </summary>
/// <remarks>
/// <para><b>Crash consistency.</b> A cancellation, failure or crash at any point leaves the store searchable and a re-run
/// converges to the same state as an uninterrupted run, with no duplicate chunks:</para>
/// <list type="number">
/// <item><description>Chunk ids are <c>{splitter chunk id}@{hash of the chunk}</c>, so writing a chunk again is an idempotent
/// overwrite and a chunk id never names two different texts.</description></item>
/// <item><description>Before a document's chunks change, its record is made <em>pending</em>
/// (<see cref="IndexRecord.IsPending"/>) and lists the old and the new chunk ids, so a chunk is never in the store without
/// a record naming it, and a half-changed document never looks up to date.</description></item>
/// <item><description>New chunks are upserted before stale ones are deleted, so a document never disappears from search
/// while it is replaced.</description></item>
/// <item><description>The final record (hash and exact chunk ids) is written last. A pending record never matches a hash,
/// so an interrupted document is processed again and its leftover chunks are deleted as stale.</description></item>
/// <item><description>Full cleanup runs only after every document was processed; removing a document makes its record
/// pending, deletes its chunks, then deletes the record.</description></item>
/// </list>
/// <para>When the vector store implements <see cref="ITransactionalIndexStore"/> and shares transactions with the record
/// manager, each batch is committed in one transaction instead (no pending records).</para>
/// <para>An indexer is immutable and thread-safe, but runs that write to the same record manager must not overlap.</para>
/// </remarks>
public sealed class Indexer
{
    private readonly IVectorStore _store;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly ITextSplitter _splitter;
    private readonly IRecordManager _records;
    private readonly ITransactionalIndexStore? _transactional;
    private readonly IndexCleanupMode _cleanup;
    private readonly int _batchSize;
    private readonly TimeProvider _time;

    /// <summary>Creates an indexer.</summary>
    /// <param name="vectorStore">The store that receives the chunks.</param>
    /// <param name="embeddingGenerator">Embeds chunk texts.</param>
    /// <param name="splitter">Splits source documents into chunks.</param>
    /// <param name="recordManager">Remembers what was indexed.</param>
    /// <param name="options">Cleanup mode, batch size and clock; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException">A service is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="IndexerOptions.BatchSize"/> is less than 1 or
    /// <see cref="IndexerOptions.Cleanup"/> is not a defined mode (the message names the value).</exception>
    public Indexer(
        IVectorStore vectorStore,
        IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator,
        ITextSplitter splitter,
        IRecordManager recordManager,
        IndexerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vectorStore);
        ArgumentNullException.ThrowIfNull(embeddingGenerator);
        ArgumentNullException.ThrowIfNull(splitter);
        ArgumentNullException.ThrowIfNull(recordManager);
        options ??= new IndexerOptions();
        if (options.BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"IndexerOptions.BatchSize is {options.BatchSize}; it must be at least 1.");
        }

        if (!Enum.IsDefined(options.Cleanup))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Cleanup, $"IndexerOptions.Cleanup is {options.Cleanup}, which is not a cleanup mode.");
        }

        _store = vectorStore;
        _embedder = embeddingGenerator;
        _splitter = splitter;
        _records = recordManager;
        _transactional = vectorStore is ITransactionalIndexStore transactional && transactional.SharesTransactionsWith(recordManager) ? transactional : null;
        _cleanup = options.Cleanup;
        _batchSize = options.BatchSize;
        _time = options.TimeProvider ?? TimeProvider.System;
    }

    /// <summary>Indexes the documents a loader yields.</summary>
    /// <param name="loader">The loader.</param>
    /// <param name="progress">Receives progress after every batch and at the end; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">A token that stops the run; the store stays consistent (see remarks on <see cref="Indexer"/>).</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="loader"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public Task<IndexingResult> IndexAsync(IDocumentLoader loader, IProgress<IndexingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loader);
        return IndexAsync(loader.LoadAsync(cancellationToken), progress, cancellationToken);
    }

    /// <summary>Indexes a stream of source documents, keyed by <see cref="Document.Id"/>.</summary>
    /// <param name="documents">The source documents; in <see cref="IndexCleanupMode.Full"/> mode, the whole corpus.</param>
    /// <param name="progress">Receives progress after every embedding call, every batch and at the end; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">A token that stops the run; the store stays consistent (see remarks on <see cref="Indexer"/>).</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="documents"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The stream yielded a <see langword="null"/> document.</exception>
    /// <exception cref="InvalidOperationException">The embedding generator returned a different number of embeddings than texts.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public async Task<IndexingResult> IndexAsync(IAsyncEnumerable<Document> documents, IProgress<IndexingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var run = new RunState(_time, progress);
        var seen = _cleanup == IndexCleanupMode.Full ? new HashSet<string>(StringComparer.Ordinal) : null;
        var batch = new List<Document>(_batchSize);
        var batchIds = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var document in documents.WithCancellation(cancellationToken))
        {
            if (document is null)
            {
                throw new ArgumentException("The document stream yielded a null document.", nameof(documents));
            }

            // A document seen twice in one batch would be compared with a record its twin is about to replace.
            if (!batchIds.Add(document.Id))
            {
                await ProcessBatchAsync(batch, run, cancellationToken);
                batch.Clear();
                batchIds.Clear();
                batchIds.Add(document.Id);
            }

            seen?.Add(document.Id);
            batch.Add(document);
            if (batch.Count == _batchSize)
            {
                await ProcessBatchAsync(batch, run, cancellationToken);
                batch.Clear();
                batchIds.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await ProcessBatchAsync(batch, run, cancellationToken);
        }

        if (seen is not null)
        {
            await DeleteUnseenAsync(seen, run, cancellationToken);
        }

        run.Report();
        return run.ToResult();
    }

    private async Task ProcessBatchAsync(List<Document> batch, RunState run, CancellationToken cancellationToken)
    {
        var ids = new string[batch.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = batch[i].Id;
        }

        var existing = await _records.GetAsync(ids, cancellationToken);
        var previous = new Dictionary<string, IndexRecord>(existing.Count, StringComparer.Ordinal);
        foreach (var record in existing)
        {
            previous[record.SourceId] = record;
        }

        List<DocumentWork>? work = null;
        foreach (var document in batch)
        {
            var hash = DocumentHasher.Hash(document);
            var old = previous.GetValueOrDefault(document.Id);
            if (old is { IsPending: false } && string.Equals(old.ContentHash, hash, StringComparison.Ordinal))
            {
                run.Skipped++;
                continue;
            }

            (work ??= []).Add(Prepare(document, hash, old));
        }

        if (work is not null)
        {
            if (_transactional is not null)
            {
                await CommitTransactionalAsync(_transactional, work, run, cancellationToken);
            }
            else
            {
                await CommitAsync(work, run, cancellationToken);
            }

            foreach (var item in work)
            {
                if (item.Previous is null)
                {
                    run.Added++;
                }
                else
                {
                    run.Updated++;
                }
            }
        }

        run.Report();
    }

    private DocumentWork Prepare(Document document, string hash, IndexRecord? previous)
    {
        var chunks = _splitter.Split(document) ?? throw new InvalidOperationException($"The splitter returned null for document '{document.Id}'.");
        var committed = previous is { IsPending: false } ? new HashSet<string>(previous.ChunkIds, StringComparer.Ordinal) : null;
        var newIds = new List<string>(chunks.Count);
        var newSet = new HashSet<string>(StringComparer.Ordinal);
        var toWrite = new List<Document>();
        foreach (var chunk in chunks)
        {
            var id = string.Concat(chunk.Id, "@", DocumentHasher.Hash(chunk).AsSpan(0, 16));
            if (!newSet.Add(id))
            {
                continue;
            }

            newIds.Add(id);
            if (committed?.Contains(id) != true)
            {
                toWrite.Add(chunk with { Id = id });
            }
        }

        var oldIds = previous?.ChunkIds ?? [];
        var stale = _cleanup == IndexCleanupMode.None ? [] : oldIds.Where(id => !newSet.Contains(id)).ToArray();
        var tracked = new HashSet<string>(oldIds, StringComparer.Ordinal);
        var union = oldIds.Concat(newIds.Where(id => !tracked.Contains(id))).ToArray();
        var finalIds = _cleanup == IndexCleanupMode.None ? union : newIds.ToArray();

        // Any change to the store is announced by a pending record first; a change of the record alone needs none.
        var intentIds = toWrite.Count > 0 || stale.Length > 0 ? union : null;
        return new DocumentWork(document.Id, hash, previous, toWrite, stale, finalIds, intentIds);
    }

    private async Task CommitAsync(List<DocumentWork> work, RunState run, CancellationToken cancellationToken)
    {
        var intents = work.Where(w => w.IntentIds is not null).Select(w => new IndexRecord(w.SourceId, null, w.IntentIds!, _time.GetUtcNow())).ToArray();
        if (intents.Length > 0)
        {
            await _records.UpsertAsync(intents, cancellationToken);
        }

        var chunks = work.SelectMany(w => w.ToWrite).ToList();
        for (var start = 0; start < chunks.Count; start += _batchSize)
        {
            var slice = chunks.GetRange(start, Math.Min(_batchSize, chunks.Count - start));
            var records = await EmbedAsync(slice, run, cancellationToken);
            await _store.UpsertAsync(records, cancellationToken);
            run.Chunks += records.Length;
            run.Report();
        }

        var stale = work.SelectMany(w => w.Stale).ToArray();
        if (stale.Length > 0)
        {
            run.ChunksDeleted += await _store.DeleteAsync(VectorSelection.ByIds(stale), cancellationToken);
        }

        var now = _time.GetUtcNow();
        await _records.UpsertAsync(work.Select(w => new IndexRecord(w.SourceId, w.Hash, w.FinalIds, now)).ToArray(), cancellationToken);
    }

    private async Task CommitTransactionalAsync(ITransactionalIndexStore store, List<DocumentWork> work, RunState run, CancellationToken cancellationToken)
    {
        var chunks = work.SelectMany(w => w.ToWrite).ToList();
        var vectors = new List<VectorRecord>(chunks.Count);
        for (var start = 0; start < chunks.Count; start += _batchSize)
        {
            vectors.AddRange(await EmbedAsync(chunks.GetRange(start, Math.Min(_batchSize, chunks.Count - start)), run, cancellationToken));
            run.Report();
        }

        var now = _time.GetUtcNow();
        var changes = new IndexChange[work.Count];
        var offset = 0;
        for (var i = 0; i < work.Count; i++)
        {
            var item = work[i];
            changes[i] = new IndexChange(item.SourceId, vectors.GetRange(offset, item.ToWrite.Count), item.Stale, new IndexRecord(item.SourceId, item.Hash, item.FinalIds, now));
            offset += item.ToWrite.Count;
        }

        await store.CommitAsync(changes, cancellationToken);
        run.Chunks += vectors.Count;
        run.ChunksDeleted += work.Sum(w => w.Stale.Length);
    }

    private async Task<VectorRecord[]> EmbedAsync(List<Document> chunks, RunState run, CancellationToken cancellationToken)
    {
        var texts = new string[chunks.Count];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = chunks[i].Content;
        }

        var embeddings = await _embedder.GenerateAsync(texts, cancellationToken: cancellationToken);
        run.EmbeddingCalls++;
        run.Embedded += texts.Length;
        if (embeddings.Count != texts.Length)
        {
            throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for {texts.Length} texts.");
        }

        var records = new VectorRecord[texts.Length];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = new VectorRecord(chunks[i], embeddings[i].Vector);
        }

        return records;
    }

    private async Task DeleteUnseenAsync(HashSet<string> seen, RunState run, CancellationToken cancellationToken)
    {
        var unseen = new List<IndexRecord>();
        await foreach (var record in _records.ListAsync(cancellationToken))
        {
            if (!seen.Contains(record.SourceId))
            {
                unseen.Add(record);
            }
        }

        for (var start = 0; start < unseen.Count; start += _batchSize)
        {
            var slice = unseen.GetRange(start, Math.Min(_batchSize, unseen.Count - start));
            if (_transactional is not null)
            {
                await _transactional.CommitAsync(slice.Select(r => new IndexChange(r.SourceId, [], r.ChunkIds, null)).ToArray(), cancellationToken);
                run.ChunksDeleted += slice.Sum(r => r.ChunkIds.Count);
            }
            else
            {
                // Pending first, then chunks, then the record: an interruption leaves a pending record, so the document
                // is indexed again if it comes back, and deleted again by the next full run if it does not.
                var now = _time.GetUtcNow();
                var pending = slice.Where(r => !r.IsPending).Select(r => new IndexRecord(r.SourceId, null, r.ChunkIds, now)).ToArray();
                if (pending.Length > 0)
                {
                    await _records.UpsertAsync(pending, cancellationToken);
                }

                var chunkIds = slice.SelectMany(r => r.ChunkIds).ToArray();
                if (chunkIds.Length > 0)
                {
                    run.ChunksDeleted += await _store.DeleteAsync(VectorSelection.ByIds(chunkIds), cancellationToken);
                }

                await _records.DeleteAsync(slice.Select(r => r.SourceId).ToArray(), cancellationToken);
            }

            run.Deleted += slice.Count;
        }
    }

    private sealed record DocumentWork(
        string SourceId,
        string Hash,
        IndexRecord? Previous,
        List<Document> ToWrite,
        string[] Stale,
        string[] FinalIds,
        string[]? IntentIds);

    private sealed class RunState(TimeProvider time, IProgress<IndexingProgress>? progress)
    {
        private readonly long _started = time.GetTimestamp();

        public int Added { get; set; }

        public int Updated { get; set; }

        public int Skipped { get; set; }

        public int Deleted { get; set; }

        public int Chunks { get; set; }

        public int ChunksDeleted { get; set; }

        public int EmbeddingCalls { get; set; }

        public int Embedded { get; set; }

        public void Report() => progress?.Report(new IndexingProgress(Added + Updated + Skipped, Chunks, Embedded, time.GetElapsedTime(_started)));

        public IndexingResult ToResult() => new()
        {
            DocumentsAdded = Added,
            DocumentsUpdated = Updated,
            DocumentsSkipped = Skipped,
            DocumentsDeleted = Deleted,
            ChunksWritten = Chunks,
            ChunksDeleted = ChunksDeleted,
            EmbeddingCalls = EmbeddingCalls,
            EmbeddedTexts = Embedded,
            Elapsed = time.GetElapsedTime(_started),
        };
    }
}
