using Chains.Models;
using Chains.Prompts;
using Chains.Runnables;

namespace Microsoft.Extensions.AI;

/// <summary>Makes Microsoft.Extensions.AI models steps of a chain.</summary>
public static class ChainsModelExtensions
{
    /// <summary>Makes the chat client a step: a prompt (text or messages) in, the <see cref="ChatResponse"/> out.
    /// Streaming yields one <see cref="ChatResponse"/> per streamed update, so a following parser can work on text
    /// deltas as they arrive.</summary>
    /// <param name="client">The chat client; any middleware (function invocation, caching, logging) stays in effect.</param>
    /// <param name="options">Options sent with every request (model, temperature, tools, response format...).</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    public static Runnable<PromptValue, ChatResponse> AsRunnable(this IChatClient client, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ChatModelRunnable(client, options);
    }

    /// <summary>Makes the embedding generator a step that embeds one value per invocation.</summary>
    /// <typeparam name="TInput">The input type (usually <see cref="string"/>).</typeparam>
    /// <typeparam name="TEmbedding">The embedding type.</typeparam>
    /// <param name="generator">The generator.</param>
    /// <param name="options">Options sent with every request.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is <see langword="null"/>.</exception>
    public static Runnable<TInput, TEmbedding> AsRunnable<TInput, TEmbedding>(this IEmbeddingGenerator<TInput, TEmbedding> generator, EmbeddingGenerationOptions? options = null)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(generator);
        return new EmbeddingRunnable<TInput, TEmbedding>(generator, options);
    }

    /// <summary>Makes the embedding generator a step that embeds a whole list in one call.</summary>
    /// <typeparam name="TInput">The input type (usually <see cref="string"/>).</typeparam>
    /// <typeparam name="TEmbedding">The embedding type.</typeparam>
    /// <param name="generator">The generator.</param>
    /// <param name="options">Options sent with every request.</param>
    /// <returns>The step; its output has one embedding per input, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is <see langword="null"/>.</exception>
    public static Runnable<IReadOnlyList<TInput>, GeneratedEmbeddings<TEmbedding>> AsBatchRunnable<TInput, TEmbedding>(this IEmbeddingGenerator<TInput, TEmbedding> generator, EmbeddingGenerationOptions? options = null)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(generator);
        return new EmbeddingBatchRunnable<TInput, TEmbedding>(generator, options);
    }
}
