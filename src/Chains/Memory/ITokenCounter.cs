using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>
/// Counts tokens the way one model does, so a prompt can be fitted to its context window exactly. Get one over a
/// Microsoft.ML.Tokenizers tokenizer (or any text-counting function) from <see cref="TokenCounter.Create(Microsoft.ML.Tokenizers.Tokenizer, TokenCounterOptions?)"/>;
/// local models provide their own (<c>Chains.LLamaSharp</c> counts with the loaded GGUF vocabulary and chat template).
/// </summary>
/// <remarks>Counts are additive: a prompt costs the sum of its messages' counts plus its tools' count. Implementations
/// must be thread-safe.</remarks>
public interface ITokenCounter
{
    /// <summary>Counts the tokens of a text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The number of tokens.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    int CountTokens(string text);

    /// <summary>Counts the tokens a message adds to a prompt: its contents plus the chat template's framing of one message.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The number of tokens.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    int CountTokens(ChatMessage message);

    /// <summary>Counts the tokens the tool definitions (names, descriptions, JSON schemas) add to a prompt.</summary>
    /// <param name="tools">The tools offered to the model.</param>
    /// <returns>The number of tokens; 0 for no tools.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tools"/> is <see langword="null"/>.</exception>
    int CountTokens(IEnumerable<AITool> tools);
}
