namespace Chains.Indexes.Indexing;

/// <summary>How far an indexing run has come, reported after every batch and when the run ends.</summary>
public readonly struct IndexingProgress
{
    /// <summary>Initializes a progress report.</summary>
    /// <param name="documents">Source documents processed so far (skipped ones included).</param>
    /// <param name="chunks">Chunks written so far.</param>
    /// <param name="embeddings">Texts embedded so far.</param>
    /// <param name="elapsed">Time since the run started.</param>
    public IndexingProgress(int documents, int chunks, int embeddings, TimeSpan elapsed)
    {
        Documents = documents;
        Chunks = chunks;
        Embeddings = embeddings;
        Elapsed = elapsed;
    }

    /// <summary>Gets the number of source documents processed so far, skipped ones included.</summary>
    public int Documents { get; }

    /// <summary>Gets the number of chunks written so far.</summary>
    public int Chunks { get; }

    /// <summary>Gets the number of texts embedded so far.</summary>
    public int Embeddings { get; }

    /// <summary>Gets the time since the run started.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets the source documents processed per second (0 before any time has passed).</summary>
    public double DocumentsPerSecond => Rate(Documents);

    /// <summary>Gets the chunks written per second (0 before any time has passed).</summary>
    public double ChunksPerSecond => Rate(Chunks);

    /// <summary>Gets the texts embedded per second (0 before any time has passed).</summary>
    public double EmbeddingsPerSecond => Rate(Embeddings);

    /// <inheritdoc />
    public override string ToString()
        => FormattableString.Invariant($"{Documents} documents ({DocumentsPerSecond:F1}/s), {Chunks} chunks ({ChunksPerSecond:F1}/s), {Embeddings} embeddings ({EmbeddingsPerSecond:F1}/s) in {Elapsed}");

    private double Rate(int count) => Elapsed > TimeSpan.Zero ? count / Elapsed.TotalSeconds : 0;
}
