namespace Chains.Parsing;

/// <summary>Thrown when an <see cref="OutputParser{T}"/> cannot parse a model's answer. It carries the answer
/// (<see cref="RawText"/>) and the type the parser wanted (<see cref="TargetType"/>), so a caller can log the answer or
/// ask the model to fix it (see <see cref="OutputParserExtensions.WithFixing{T}"/>).</summary>
public sealed class OutputParserException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="OutputParserException"/> class with a generic message,
    /// no raw text and <see cref="object"/> as the target type.</summary>
    public OutputParserException()
        : this("The model's output could not be parsed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OutputParserException"/> class with no raw text and
    /// <see cref="object"/> as the target type.</summary>
    /// <param name="message">What was expected and what went wrong.</param>
    public OutputParserException(string message)
        : this(message, string.Empty, typeof(object), null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OutputParserException"/> class with no raw text and
    /// <see cref="object"/> as the target type.</summary>
    /// <param name="message">What was expected and what went wrong.</param>
    /// <param name="innerException">The error that made parsing fail.</param>
    public OutputParserException(string message, Exception? innerException)
        : this(message, string.Empty, typeof(object), innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OutputParserException"/> class.</summary>
    /// <param name="message">What was expected and what went wrong.</param>
    /// <param name="rawText">The text that could not be parsed.</param>
    /// <param name="targetType">The type the parser was producing.</param>
    /// <param name="innerException">The error that made parsing fail, if any (e.g. a <see cref="System.Text.Json.JsonException"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="rawText"/> or <paramref name="targetType"/> is <see langword="null"/>.</exception>
    public OutputParserException(string message, string rawText, Type targetType, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(rawText);
        ArgumentNullException.ThrowIfNull(targetType);
        RawText = rawText;
        TargetType = targetType;
    }

    /// <summary>Gets the text that could not be parsed, exactly as the parser received it.</summary>
    public string RawText { get; }

    /// <summary>Gets the type the parser was producing.</summary>
    public Type TargetType { get; }
}
