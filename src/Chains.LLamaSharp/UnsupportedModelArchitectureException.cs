namespace Chains.LLamaSharp;

/// <summary>The GGUF file holds a model whose architecture the loaded llama.cpp does not implement (or a file that is
/// not a model, such as a LoRA adapter or a vision projector).</summary>
public sealed class UnsupportedModelArchitectureException : NotSupportedException
{
    /// <summary>Initializes a new instance of the <see cref="UnsupportedModelArchitectureException"/> class.</summary>
    public UnsupportedModelArchitectureException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UnsupportedModelArchitectureException"/> class.</summary>
    /// <param name="message">The message.</param>
    public UnsupportedModelArchitectureException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UnsupportedModelArchitectureException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public UnsupportedModelArchitectureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UnsupportedModelArchitectureException"/> class.</summary>
    /// <param name="architecture">The architecture the file declares.</param>
    /// <param name="path">The file.</param>
    /// <param name="detail">What llama.cpp reported, if anything.</param>
    public UnsupportedModelArchitectureException(string architecture, string path, string? detail)
        : base($"'{path}' is a '{architecture}' model, which the loaded llama.cpp does not support{(detail is null ? "." : $": {detail}")}")
        => Architecture = architecture;

    /// <summary>Gets the architecture the file declares (<c>general.architecture</c>).</summary>
    public string? Architecture { get; }
}
