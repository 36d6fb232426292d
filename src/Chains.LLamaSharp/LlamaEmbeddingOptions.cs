namespace Chains.LLamaSharp;

/// <summary>How a <see cref="LlamaModel"/> turns text into embeddings.</summary>
public sealed class LlamaEmbeddingOptions
{
    /// <summary>Gets how token vectors are pooled into one vector. Defaults to <see cref="EmbeddingPooling.Model"/>.</summary>
    public EmbeddingPooling Pooling { get; init; } = EmbeddingPooling.Model;

    /// <summary>Gets whether vectors are scaled to unit length (so dot product equals cosine similarity). Defaults to <see langword="true"/>.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Gets the most inputs evaluated together in one batch. Defaults to 16.</summary>
    public int MaxBatchInputs { get; init; } = 16;

    internal void Validate()
    {
        if (MaxBatchInputs is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchInputs), MaxBatchInputs, "LlamaEmbeddingOptions.MaxBatchInputs must be between 1 and 256.");
        }

        if (!Enum.IsDefined(Pooling))
        {
            throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "LlamaEmbeddingOptions.Pooling is not a defined value.");
        }
    }
}

/// <summary>How the token vectors of an input are combined into its embedding.</summary>
public enum EmbeddingPooling
{
    /// <summary>The model's own pooling (<c>{arch}.pooling_type</c> in the GGUF, as embedding models declare), else mean.</summary>
    Model,

    /// <summary>The mean of all token vectors.</summary>
    Mean,

    /// <summary>The vector of the first token (BERT-style CLS).</summary>
    Cls,

    /// <summary>The vector of the last token (decoder-style embedding models).</summary>
    Last,
}
