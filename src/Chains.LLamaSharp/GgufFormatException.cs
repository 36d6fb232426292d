namespace Chains.LLamaSharp;

/// <summary>The file is not a GGUF file, or its header is malformed or truncated. Thrown in managed code before the
/// native loader sees the file.</summary>
public sealed class GgufFormatException : IOException
{
    /// <summary>Initializes a new instance of the <see cref="GgufFormatException"/> class.</summary>
    public GgufFormatException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GgufFormatException"/> class.</summary>
    /// <param name="message">What is wrong with the file.</param>
    public GgufFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GgufFormatException"/> class.</summary>
    /// <param name="message">What is wrong with the file.</param>
    /// <param name="innerException">The cause.</param>
    public GgufFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
