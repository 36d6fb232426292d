namespace Chains.LLamaSharp;

/// <summary>
/// A chat request's rendered prompt fills the whole context of a sequence, so no token could be generated. Thrown by
/// the chat client before anything is evaluated: the model's KV caches are untouched and the client stays usable.
/// </summary>
/// <remarks>Keep conversations within the context with a reducer, e.g.
/// <c>new TokenBudgetChatReducer(model.AsTokenCounter(), model.ContextSize - maxOutputTokens)</c> (Chains.Memory) in
/// front of the client, or load the model with a larger <see cref="LlamaModelOptions.ContextSize"/>.</remarks>
public sealed class LlamaContextOverflowException : InvalidOperationException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public LlamaContextOverflowException()
        : base("The prompt does not fit the model's context.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public LlamaContextOverflowException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LlamaContextOverflowException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance naming the prompt's size and the context's, and how to make them fit.</summary>
    /// <param name="promptTokens">The tokens of the rendered prompt.</param>
    /// <param name="contextSize">The context of one sequence, in tokens.</param>
    public LlamaContextOverflowException(int promptTokens, int contextSize)
        : base($"The prompt has {promptTokens} tokens, which leaves no room to generate in the {contextSize}-token context of a sequence. "
            + $"Shorten the conversation, e.g. with Chains.Memory.TokenBudgetChatReducer over LlamaModel.AsTokenCounter() and a budget of {contextSize} tokens less the reply's, "
            + "or load the model with a larger LlamaModelOptions.ContextSize (at most the context it was trained with).")
    {
        PromptTokens = promptTokens;
        ContextSize = contextSize;
    }

    /// <summary>Gets the tokens of the rendered prompt (chat template, tool instructions and messages).</summary>
    public int PromptTokens { get; }

    /// <summary>Gets the context of one sequence, in tokens: <see cref="LlamaModel.ContextSize"/>, or more where llama.cpp
    /// rounded the whole context up (it pads small contexts).</summary>
    public int ContextSize { get; }
}
