using Chains.Indexes;

namespace Chains.Tests.Memory;

/// <summary>A list-based vector store: exact cosine search over every record, honouring filters, top and minimum score.</summary>
public sealed class RecordingVectorStore : IVectorStore
{
    private readonly List<VectorRecord> _records = [];

    public IReadOnlyList<VectorRecord> Records
    {
        get
        {
            lock (_records)
            {
                return _records.ToArray();
            }
        }
    }

    public int Searches { get; private set; }

    public VectorSearchOptions? LastSearch { get; private set; }

    public Task UpsertAsync(IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_records)
        {
            foreach (var record in records)
            {
                _records.RemoveAll(r => r.Document.Id == record.Document.Id);
                _records.Add(record);
            }
        }

        return Task.CompletedTask;
    }

    public Task<int> DeleteAsync(VectorSelection selection, CancellationToken cancellationToken = default)
    {
        lock (_records)
        {
            return Task.FromResult(_records.RemoveAll(r => selection.Ids?.Contains(r.Document.Id) ?? selection.Filter!.Matches(r.Document.Metadata)));
        }
    }

    public Task<IReadOnlyList<VectorSearchResult>> SearchAsync(ReadOnlyMemory<float> vector, VectorSearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new VectorSearchOptions();
        Searches++;
        LastSearch = options;
        lock (_records)
        {
            IReadOnlyList<VectorSearchResult> results = _records
                .Where(r => options.Filter?.Matches(r.Document.Metadata) ?? true)
                .Select(r => new VectorSearchResult(r.Document, Cosine(vector.Span, r.Vector.Span)))
                .Where(r => options.MinScore is null || r.Score >= options.MinScore)
                .OrderByDescending(r => r.Score)
                .Take(options.Top)
                .ToList();
            return Task.FromResult(results);
        }
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
