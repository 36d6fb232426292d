using Chains.Indexes;
using Microsoft.Extensions.AI;

namespace Chains.Pgvector.TestHost;

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

/// <summary>A deterministic 8-dimensional embedding from character codes, each call slowed by a fixed delay.</summary>
internal sealed class TagEmbedder(TimeSpan delay) : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int Dimensions = 8;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        return new GeneratedEmbeddings<Embedding<float>>(values.Select(v =>
        {
            var vector = new float[Dimensions];
            for (var i = 0; i < v.Length; i++)
            {
                vector[i % Dimensions] += (v[i] % 31) + 1;
            }

            return new Embedding<float>(vector);
        }));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
