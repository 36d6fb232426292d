namespace Chains.Indexes.Embeddings;

/// <summary>Options for <see cref="TokenBudgetBatchingEmbeddingGenerator"/>; copied and validated when the generator
/// is created.</summary>
public sealed class TokenBudgetBatchingOptions
{
    /// <summary>Gets or sets the most tokens one request to the inner generator may carry, summed over its texts;
    /// default 8,192. A single text over the budget is sent alone (texts are never split).</summary>
    public int MaxTokensPerBatch { get; set; } = 8_192;

    /// <summary>Gets or sets the most texts in one request to the inner generator; default 128.</summary>
    public int MaxBatchSize { get; set; } = 128;

    /// <summary>Gets or sets how many requests may run at once; default 1 (one after another).</summary>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>Gets or sets the function that counts a text's tokens, for example the model's own tokenizer;
    /// <see langword="null"/> (the default) estimates one token per four characters, rounded up.</summary>
    public Func<string, int>? TokenCounter { get; set; }

    /// <summary>The default token estimate: one token per four UTF-16 characters, rounded up.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The estimated number of tokens.</returns>
    internal static int EstimateTokens(string text) => (text.Length + 3) / 4;

    internal void Validate()
    {
        if (MaxTokensPerBatch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokensPerBatch), MaxTokensPerBatch, "MaxTokensPerBatch must be at least 1.");
        }

        if (MaxBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "MaxBatchSize must be at least 1.");
        }

        if (MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be at least 1.");
        }
    }
}
