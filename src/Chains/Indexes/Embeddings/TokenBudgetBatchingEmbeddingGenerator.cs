using Microsoft.Extensions.AI;

namespace Chains.Indexes.Embeddings;

/// <summary>
/// Splits a large <see cref="GenerateAsync"/> call into requests that each stay within a token budget and a text
/// count, sends them to the inner generator (one after another, or a bounded number at once) and returns the
/// embeddings in the order of the input.
/// </summary>
/// <remarks>
/// Providers limit a request by inputs and by tokens; a local model's cost grows with the padded batch. A call that
/// already fits is passed through unchanged. Token usage reported by the inner generator is summed over the requests.
/// Add it with <see cref="ChainsEmbeddingGeneratorBuilderExtensions.UseTokenBudgetBatching"/>, after a cache so that
/// only misses are batched.
/// </remarks>
public sealed class TokenBudgetBatchingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly int _maxTokens;
    private readonly int _maxBatchSize;
    private readonly int _parallelism;
    private readonly Func<string, int> _counter;

    /// <summary>Wraps <paramref name="innerGenerator"/>.</summary>
    /// <param name="innerGenerator">The generator that receives the sub-batches.</param>
    /// <param name="options">The budget, batch size, parallelism and token counter; <see langword="null"/> for the
    /// defaults. Copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerGenerator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public TokenBudgetBatchingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, TokenBudgetBatchingOptions? options = null)
        : base(innerGenerator)
    {
        options ??= new TokenBudgetBatchingOptions();
        options.Validate();
        _maxTokens = options.MaxTokensPerBatch;
        _maxBatchSize = options.MaxBatchSize;
        _parallelism = options.MaxDegreeOfParallelism;
        _counter = options.TokenCounter ?? TokenBudgetBatchingOptions.EstimateTokens;
    }

    /// <summary>Embeds <paramref name="values"/> in sub-batches within the budget.</summary>
    /// <param name="values">The texts.</param>
    /// <param name="options">Options passed to every request.</param>
    /// <param name="cancellationToken">A token that cancels the call and every running request.</param>
    /// <returns>One embedding per text, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its texts is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The token counter returned a negative number, or the inner
    /// generator returned a different number of embeddings than it was given texts.</exception>
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? [.. values];
        var batches = Plan(texts);
        if (batches.Count <= 1)
        {
            return await base.GenerateAsync(texts, options, cancellationToken);
        }

        var results = new GeneratedEmbeddings<Embedding<float>>?[batches.Count];
        if (_parallelism == 1)
        {
            for (var b = 0; b < batches.Count; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                results[b] = await RunAsync(texts, batches[b], options, cancellationToken);
            }
        }
        else
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, batches.Count), parallel, async (b, token) => results[b] = await RunAsync(texts, batches[b], options, token));
        }

        var embeddings = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        UsageDetails? usage = null;
        foreach (var result in results)
        {
            embeddings.AddRange(result!);
            if (result!.Usage is { } u)
            {
                (usage ??= new UsageDetails()).Add(u);
            }
        }

        embeddings.Usage = usage;
        return embeddings;
    }

    /// <summary>Groups consecutive texts greedily: a batch closes when the next text would exceed the token budget or
    /// the batch is full.</summary>
    private List<Range> Plan(IReadOnlyList<string> texts)
    {
        var batches = new List<Range>();
        int start = 0, tokens = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i] ?? throw new ArgumentNullException(nameof(texts), $"The text at index {i} is null.");
            var count = _counter(text);
            if (count < 0)
            {
                throw new InvalidOperationException($"The token counter returned {count} for the text at index {i}.");
            }

            if (i > start && (i - start == _maxBatchSize || (long)tokens + count > _maxTokens))
            {
                batches.Add(start..i);
                start = i;
                tokens = 0;
            }

            tokens += count;
        }

        if (texts.Count > start)
        {
            batches.Add(start..texts.Count);
        }

        return batches;
    }

    private async Task<GeneratedEmbeddings<Embedding<float>>> RunAsync(IReadOnlyList<string> texts, Range batch, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        var (offset, length) = batch.GetOffsetAndLength(texts.Count);
        var slice = new string[length];
        for (var i = 0; i < length; i++)
        {
            slice[i] = texts[offset + i];
        }

        var result = await base.GenerateAsync(slice, options, cancellationToken);
        return result.Count == length ? result
            : throw new InvalidOperationException($"The inner generator returned {result.Count} embeddings for {length} texts.");
    }
}
