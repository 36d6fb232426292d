using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>
/// A compressor by embeddings: embeds the query and the documents (one call), drops documents whose cosine similarity
/// to the query is below a threshold, and orders the rest by similarity, most similar first.
/// </summary>
public sealed class EmbeddingsFilter : IDocumentCompressor
{
    /// <summary>Initializes a new filter.</summary>
    /// <param name="embeddingGenerator">Embeds the query and the documents.</param>
    /// <param name="similarityThreshold">The lowest cosine similarity a document may have (a model-dependent value: around
    /// 0.3–0.5 for MiniLM-class models).</param>
    /// <param name="top">How many documents to keep at most, or <see langword="null"/> for all that pass.</param>
    /// <exception cref="ArgumentNullException"><paramref name="embeddingGenerator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="similarityThreshold"/> is outside [-1, 1] or
    /// <paramref name="top"/> is less than 1.</exception>
    public EmbeddingsFilter(IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator, double similarityThreshold, int? top = null)
    {
        ArgumentNullException.ThrowIfNull(embeddingGenerator);
        if (!(similarityThreshold is >= -1 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(similarityThreshold), similarityThreshold, "The threshold is a cosine similarity, between -1 and 1.");
        }

        if (top is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(top), top, "Top must be at least 1, or null for no limit.");
        }

        EmbeddingGenerator = embeddingGenerator;
        SimilarityThreshold = similarityThreshold;
        Top = top;
    }

    /// <summary>Gets the generator that embeds the query and the documents.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator { get; }

    /// <summary>Gets the lowest cosine similarity a kept document has.</summary>
    public double SimilarityThreshold { get; }

    /// <summary>Gets how many documents are kept at most, or <see langword="null"/>.</summary>
    public int? Top { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The generator returned a different number of embeddings than texts.</exception>
    public async ValueTask<IReadOnlyList<Document>> CompressAsync(string query, IReadOnlyList<Document> documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Count == 0)
        {
            return [];
        }

        var texts = new string[documents.Count + 1];
        texts[0] = query;
        for (var i = 0; i < documents.Count; i++)
        {
            texts[i + 1] = documents[i].Content;
        }

        var embeddings = await EmbeddingGenerator.GenerateAsync(texts, null, cancellationToken);
        if (embeddings.Count != texts.Length)
        {
            throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for {texts.Length} texts.");
        }

        var queryVector = embeddings[0].Vector.Span;
        var kept = new List<ScoredDocument>(documents.Count);
        for (var i = 0; i < documents.Count; i++)
        {
            var similarity = Cosine(queryVector, embeddings[i + 1].Vector.Span);
            if (similarity >= SimilarityThreshold)
            {
                kept.Add(new ScoredDocument(documents[i], similarity));
            }
        }

        // A stable sort: equally similar documents keep the retriever's order.
        return kept.OrderByDescending(k => k.Score).Take(Top ?? int.MaxValue).Select(k => k.Document).ToArray();
    }

    private static double Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
        {
            throw new InvalidOperationException($"The query embedding has {x.Length} dimensions but a document embedding has {y.Length}.");
        }

        var norms = TensorPrimitives.Norm(x) * TensorPrimitives.Norm(y);
        return norms == 0 ? 0 : TensorPrimitives.Dot(x, y) / norms;
    }
}
