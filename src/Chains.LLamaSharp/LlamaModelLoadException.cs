namespace Chains.LLamaSharp;

/// <summary>llama.cpp could not load a model, adapter or context (bad tensors, not enough memory, a backend failure).
/// The message carries what llama.cpp logged.</summary>
public sealed class LlamaModelLoadException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="LlamaModelLoadException"/> class.</summary>
    public LlamaModelLoadException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LlamaModelLoadException"/> class.</summary>
    /// <param name="message">The message.</param>
    public LlamaModelLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LlamaModelLoadException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LlamaModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
