using Chains.Indexes;
using Microsoft.Extensions.AI;

namespace Chains.Pgvector.Tests;

/// <summary>Splits a document into one chunk per line; chunk ids are <c>doc#line</c>.</summary>
internal sealed class LineSplitter : ITextSplitter
{
    public IReadOnlyList<Document> Split(Document document)
    {
        var chunks = new List<Document>();
        var start = 0;
        var lines = document.Content.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            chunks.Add(new Document($"{document.Id}#{i}", lines[i], document.Metadata.With("line", i), document.Source, new SourceSpan(start, lines[i].Length)));
            start += lines[i].Length + 1;
        }

        return chunks;
    }
}

/// <summary>A deterministic 8-dimensional embedding from character codes; counts calls.</summary>
internal sealed class HashEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    private int _calls;

    public int Calls => _calls;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var embeddings = values.Select(v =>
        {
            var vector = new float[8];
            for (var i = 0; i < v.Length; i++)
            {
                vector[i % 8] += (v[i] % 31) + 1;
            }

            return new Embedding<float>(vector);
        });
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(embeddings));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
