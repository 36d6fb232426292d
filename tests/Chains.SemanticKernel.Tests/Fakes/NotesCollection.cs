using System.Linq.Expressions;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Chains.Tests.Indexes.Retrievers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Chains.SemanticKernel.Tests.Fakes;

/// <summary>A note as SK connectors model records: attributes name the key, data and vector properties.</summary>
public sealed class Note
{
    [VectorStoreKey]
    public required string Key { get; init; }

    [VectorStoreData]
    public required string Text { get; init; }

    [VectorStoreData(IsIndexed = true)]
    public required string Category { get; init; }

    [VectorStoreVector(BagOfWordsEmbeddingGenerator.Dimension)]
    public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>
/// A minimal in-process <see cref="VectorStoreCollection{TKey,TRecord}"/> (SK's in-memory connector is not available
/// here): upsert embeds the text with its generator, search ranks by cosine similarity, applies the LINQ filter and
/// the score threshold, and records what it was asked.
/// </summary>
public sealed class NotesCollection(IEmbeddingGenerator<string, Embedding<float>> generator) : VectorStoreCollection<string, Note>
{
    private readonly Dictionary<string, Note> _notes = [];

    public int Searches { get; private set; }

    public int? LastTop { get; private set; }

    public override string Name => "notes";

    public override async IAsyncEnumerable<VectorSearchResult<Note>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<Note>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Searches++;
        LastTop = top;
        var query = searchValue switch
        {
            string text => (await generator.GenerateAsync([text], cancellationToken: cancellationToken))[0].Vector,
            ReadOnlyMemory<float> vector => vector,
            Embedding<float> embedding => embedding.Vector,
            _ => throw new NotSupportedException($"Search values of type {typeof(TInput).Name} are not supported."),
        };
        var filter = options?.Filter?.Compile() ?? (_ => true);
        var ranked = _notes.Values
            .Where(filter)
            .Select(n => new VectorSearchResult<Note>(n, TensorPrimitives.CosineSimilarity(query.Span, n.Vector.Span)))
            .Where(r => options?.ScoreThreshold is not { } threshold || r.Score >= threshold)
            .OrderByDescending(r => r.Score)
            .Take(top)
            .ToList();
        foreach (var result in ranked)
        {
            yield return result;
        }
    }

    public override async Task UpsertAsync(Note record, CancellationToken cancellationToken = default)
    {
        record.Vector = (await generator.GenerateAsync([record.Text], cancellationToken: cancellationToken))[0].Vector;
        _notes[record.Key] = record;
    }

    public override async Task UpsertAsync(IEnumerable<Note> records, CancellationToken cancellationToken = default)
    {
        foreach (var record in records)
        {
            await UpsertAsync(record, cancellationToken);
        }
    }

    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);

    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        _notes.Clear();
        return Task.CompletedTask;
    }

    public override Task<Note?> GetAsync(string key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
        => Task.FromResult(_notes.GetValueOrDefault(key));

    public override IAsyncEnumerable<Note> GetAsync(Expression<Func<Note, bool>> filter, int top, FilteredRecordRetrievalOptions<Note>? options = null, CancellationToken cancellationToken = default)
        => _notes.Values.Where(filter.Compile()).Take(top).ToAsyncEnumerable();

    public override Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        _notes.Remove(key);
        return Task.CompletedTask;
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) => null;
}
