namespace Chains.Prompts;

/// <summary>
/// Thrown when the input of a prompt template does not match its variables: it names every variable the template needs
/// that the input does not provide (<see cref="MissingVariables"/>) and every property or key the input provides that the
/// template does not use (<see cref="UnknownVariables"/>), all at once.
/// </summary>
/// <remarks>Templates bound to a concrete input type throw it when they are created; templates formatting dictionaries
/// or <see cref="object"/> inputs throw it when formatting, before anything is sent to a model.</remarks>
public sealed class PromptVariablesException : ArgumentException
{
    /// <summary>Initializes a new instance naming the missing and unknown variables.</summary>
    /// <param name="missingVariables">The variables the template needs that the input lacks.</param>
    /// <param name="unknownVariables">The inputs the template does not use.</param>
    /// <param name="inputDescription">What the input is (e.g. <c>input type 'Question'</c>), for the message; optional.</param>
    /// <exception cref="ArgumentNullException">A list is <see langword="null"/>.</exception>
    public PromptVariablesException(IEnumerable<string> missingVariables, IEnumerable<string> unknownVariables, string? inputDescription = null)
        : this(ToArray(missingVariables, nameof(missingVariables)), ToArray(unknownVariables, nameof(unknownVariables)), inputDescription)
    {
    }

    private PromptVariablesException(string[] missing, string[] unknown, string? inputDescription)
        : base(BuildMessage(missing, unknown, inputDescription), "input")
    {
        MissingVariables = missing;
        UnknownVariables = unknown;
    }

    /// <summary>Gets the variables the template needs that the input does not provide (neither as a property or key nor
    /// as a partial variable).</summary>
    public IReadOnlyList<string> MissingVariables { get; }

    /// <summary>Gets the properties or keys the input provides that the template does not use.</summary>
    public IReadOnlyList<string> UnknownVariables { get; }

    private static string[] ToArray(IEnumerable<string> names, string paramName)
    {
        ArgumentNullException.ThrowIfNull(names, paramName);
        return names.ToArray();
    }

    private static string BuildMessage(string[] missing, string[] unknown, string? inputDescription)
    {
        var subject = inputDescription is null ? "The prompt input" : $"The prompt input ({inputDescription})";
        var parts = new List<string>(2);
        if (missing.Length > 0)
        {
            parts.Add($"it is missing {Quote(missing)}: provide them as properties or keys of the input, or as partial variables of the template");
        }

        if (unknown.Length > 0)
        {
            parts.Add($"it provides {Quote(unknown)} that the template does not use: remove them, use them in the template, or set PromptTemplateOptions.AllowUnusedInputs");
        }

        return parts.Count == 0
            ? $"{subject} does not match the template."
            : $"{subject} does not match the template: {string.Join("; ", parts)}.";
    }

    private static string Quote(string[] names)
        => (names.Length == 1 ? "variable " : "variables ") + string.Join(", ", names.Select(n => $"'{n}'"));
}
