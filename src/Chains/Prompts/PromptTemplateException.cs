namespace Chains.Prompts;

/// <summary>
/// Thrown when a prompt template string is malformed: an unclosed <c>{</c>, a lone <c>}</c>, an empty or invalid variable
/// name, or an empty format specifier. The message and <see cref="Position"/> say where.
/// </summary>
public sealed class PromptTemplateException : ArgumentException
{
    /// <summary>Initializes a new instance with a message and the position of the problem.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="position">The zero-based character index in the template where the problem starts.</param>
    /// <param name="paramName">The name of the parameter that held the template, if any.</param>
    public PromptTemplateException(string message, int position, string? paramName = null)
        : base(message, paramName)
    {
        Position = position;
    }

    /// <summary>Gets the zero-based character index in the template where the problem starts.</summary>
    public int Position { get; }
}
