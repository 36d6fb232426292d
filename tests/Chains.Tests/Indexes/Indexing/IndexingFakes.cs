using System.Numerics.Tensors;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Indexes.Indexing;

/// <summary>An <see cref="IVectorStore"/> over a dictionary, with hooks to fail or cancel writes.</summary>
public sealed class ListVectorStore : IVectorStore
{
    private readonly Dictionary<string, VectorRecord> _records = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Runs before each upsert; throw from it to simulate a crash.</summary>
    public Action<IReadOnlyList<VectorRecord>>? BeforeUpsert { get; set; }

    /// <summary>Runs before each delete; throw from it to simulate a crash.</summary>
    public Action<VectorSelection>? BeforeDelete { get; set; }

    public int UpsertCalls { get; private set; }

    public int DeleteCalls { get; private set; }

    public IReadOnlyDictionary<string, VectorRecord> Records
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, VectorRecord>(_records, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The stored chunks' ids, sorted.</summary>
    public IReadOnlyList<string> Ids => [.. Records.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The stored chunks' (id, content) pairs, sorted: two stores with equal snapshots hold the same chunks.</summary>
    public IReadOnlyList<(string Id, string Content)> Snapshot => [.. Records.Values.Select(r => (r.Document.Id, r.Document.Content)).Order()];

    public Task UpsertAsync(IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BeforeUpsert?.Invoke(records);
        lock (_lock)
        {
            UpsertCalls++;
            foreach (var record in records)
            {
                _records[record.Document.Id] = record;
            }
        }

        return Task.CompletedTask;
    }

    public Task<int> DeleteAsync(VectorSelection selection, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BeforeDelete?.Invoke(selection);
        lock (_lock)
        {
            DeleteCalls++;
            var ids = selection.Ids ?? [.. _records.Values.Where(r => selection.Filter!.Matches(r.Document.Metadata)).Select(r => r.Document.Id)];
            return Task.FromResult(ids.Count(_records.Remove));
        }
    }

    public Task<IReadOnlyList<VectorSearchResult>> SearchAsync(ReadOnlyMemory<float> vector, VectorSearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new VectorSearchOptions();
        lock (_lock)
        {
            IReadOnlyList<VectorSearchResult> results = [.. _records.Values
                .Where(r => options.Filter?.Matches(r.Document.Metadata) ?? true)
                .Select(r => new VectorSearchResult(r.Document, TensorPrimitives.CosineSimilarity(vector.Span, r.Vector.Span)))
                .OrderByDescending(r => r.Score)
                .Take(options.Top)];
            return Task.FromResult(results);
        }
    }
}

/// <summary>A store that commits chunks and records together, over a <see cref="ListVectorStore"/> and an
/// <see cref="InMemoryRecordManager"/>.</summary>
public sealed class TransactionalListStore(ListVectorStore inner, InMemoryRecordManager ownRecords) : IVectorStore, ITransactionalIndexStore
{
    public List<IReadOnlyList<IndexChange>> Commits { get; } = [];

    public bool SharesTransactionsWith(IRecordManager recordManager) => ReferenceEquals(recordManager, ownRecords);

    public async Task CommitAsync(IReadOnlyList<IndexChange> changes, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Commits.Add(changes);
        await inner.UpsertAsync([.. changes.SelectMany(c => c.Upserts)], CancellationToken.None);
        var deletes = changes.SelectMany(c => c.DeletedChunkIds).ToArray();
        if (deletes.Length > 0)
        {
            await inner.DeleteAsync(VectorSelection.ByIds(deletes), CancellationToken.None);
        }

        await ownRecords.UpsertAsync([.. changes.Where(c => c.Record is not null).Select(c => c.Record!)], CancellationToken.None);
        await ownRecords.DeleteAsync([.. changes.Where(c => c.Record is null).Select(c => c.SourceId)], CancellationToken.None);
    }

    public Task UpsertAsync(IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default) => inner.UpsertAsync(records, cancellationToken);

    public Task<int> DeleteAsync(VectorSelection selection, CancellationToken cancellationToken = default) => inner.DeleteAsync(selection, cancellationToken);

    public Task<IReadOnlyList<VectorSearchResult>> SearchAsync(ReadOnlyMemory<float> vector, VectorSearchOptions? options = null, CancellationToken cancellationToken = default)
        => inner.SearchAsync(vector, options, cancellationToken);
}

/// <summary>Splits a document into pieces of <paramref name="size"/> characters with spans into the source.</summary>
public sealed class FixedSizeSplitter(int size) : ITextSplitter
{
    public int Calls { get; private set; }

    public IReadOnlyList<Document> Split(Document document)
    {
        Calls++;
        var chunks = new List<Document>();
        for (int start = 0, index = 0; start < document.Content.Length; start += size, index++)
        {
            var length = Math.Min(size, document.Content.Length - start);
            var offset = document.Span?.Start ?? 0;
            chunks.Add(new Document(
                $"{document.Id}#{index}",
                document.Content.Substring(start, length),
                document.Metadata.With("chunk", index),
                document.Source,
                new SourceSpan(offset + start, length)));
        }

        return chunks;
    }
}

/// <summary>An embedding generator that counts calls and texts; vectors are a hashed bag of characters.</summary>
public sealed class CountingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private int _calls;
    private int _texts;

    /// <summary>Runs at the start of each call with the call's number (1-based); throw from it to fail the call.</summary>
    public Action<int, IReadOnlyList<string>>? OnCall { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public int Texts => Volatile.Read(ref _texts);

    public int MaxTextsPerCall { get; private set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values.ToList();
        var call = Interlocked.Increment(ref _calls);
        OnCall?.Invoke(call, list);
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Add(ref _texts, list.Count);
        MaxTextsPerCall = Math.Max(MaxTextsPerCall, list.Count);
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(list.Select(v => new Embedding<float>(Vectorize(v)))));
    }

    public static float[] Vectorize(string text)
    {
        var vector = new float[16];
        foreach (var c in text)
        {
            vector[c % 16] += 1;
        }

        return vector;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

/// <summary>Collects progress reports synchronously (unlike <see cref="Progress{T}"/>, which posts them).</summary>
public sealed class ListProgress<T> : IProgress<T>
{
    public List<T> Reports { get; } = [];

    public void Report(T value) => Reports.Add(value);
}

internal static class Docs
{
    public static async IAsyncEnumerable<Document> Stream(params Document[] documents)
    {
        foreach (var document in documents)
        {
            await Task.Yield();
            yield return document;
        }
    }

    public static Document Make(string id, string content, DocumentMetadata? metadata = null) => new(id, content, metadata, source: id + ".txt");
}
