namespace Chains.Onnx;

/// <summary>Options for <see cref="MiniLmEmbeddingGenerator"/>; read once, when the generator is created.</summary>
public sealed class MiniLmOptions
{
    /// <summary>The most tokens the model accepts (its position embeddings).</summary>
    public const int ModelMaxSequenceLength = 512;

    /// <summary>Gets or sets the most tokens embedded per text, <c>[CLS]</c> and <c>[SEP]</c> included; longer texts are
    /// truncated. Default 256, the length all-MiniLM-L6-v2 was trained with; at most
    /// <see cref="ModelMaxSequenceLength"/>.</summary>
    public int MaxSequenceLength { get; set; } = 256;

    /// <summary>Gets or sets how many texts go through the model in one run. Larger batches are faster per text
    /// until the padded batch stops fitting in the CPU cache; default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Gets or sets whether embeddings are scaled to unit length (default <see langword="true"/>, as the
    /// sentence-transformers model does), so that the dot product is the cosine similarity.</summary>
    public bool Normalize { get; set; } = true;

    /// <summary>Gets or sets the threads ONNX Runtime uses within one operator; default
    /// <see cref="Environment.ProcessorCount"/>. 0 lets ONNX Runtime choose.</summary>
    public int IntraOpNumThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Gets or sets the threads ONNX Runtime uses across independent operators; default 1 (the model is a
    /// chain of operators). 0 lets ONNX Runtime choose.</summary>
    public int InterOpNumThreads { get; set; } = 1;

    internal void Validate()
    {
        if (MaxSequenceLength is < 3 or > ModelMaxSequenceLength)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSequenceLength), MaxSequenceLength, $"MaxSequenceLength must be between 3 and {ModelMaxSequenceLength}.");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        }

        if (IntraOpNumThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpNumThreads), IntraOpNumThreads, "IntraOpNumThreads must be 0 (ONNX Runtime's choice) or more.");
        }

        if (InterOpNumThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(InterOpNumThreads), InterOpNumThreads, "InterOpNumThreads must be 0 (ONNX Runtime's choice) or more.");
        }
    }
}
