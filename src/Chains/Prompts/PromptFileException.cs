namespace Chains.Prompts;

/// <summary>
/// Thrown when a prompt template file cannot be read: it is not valid JSON or YAML, a field is missing or has the wrong
/// type, a template in it is malformed, or its declared input variables do not match its templates. The message names
/// the file, the field (as a path such as <c>messages[1].role</c>) and what is wrong.
/// </summary>
public sealed class PromptFileException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="filePath">The file that could not be read.</param>
    /// <param name="field">The path of the offending field (e.g. <c>messages[1].role</c>), or <see langword="null"/> when the
    /// problem is the whole file.</param>
    /// <param name="problem">What is wrong and how to fix it.</param>
    /// <param name="innerException">The underlying parse or template error, if any.</param>
    public PromptFileException(string filePath, string? field, string problem, Exception? innerException = null)
        : base(BuildMessage(filePath, field, problem), innerException)
    {
        FilePath = filePath;
        Field = field;
        Problem = problem;
    }

    /// <summary>Gets the file that could not be read.</summary>
    public string FilePath { get; }

    /// <summary>Gets the path of the offending field (e.g. <c>messages[1].role</c>), or <see langword="null"/> when the
    /// problem is the whole file (e.g. invalid JSON).</summary>
    public string? Field { get; }

    /// <summary>Gets what is wrong, without the file and field.</summary>
    public string Problem { get; }

    private static string BuildMessage(string filePath, string? field, string problem)
        => field is null
            ? $"Prompt file '{filePath}': {problem}"
            : $"Prompt file '{filePath}', field '{field}': {problem}";
}
