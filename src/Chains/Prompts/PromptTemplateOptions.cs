using System.Globalization;

namespace Chains.Prompts;

/// <summary>How a prompt template formats values and checks its input. Immutable once the template is created.</summary>
public sealed class PromptTemplateOptions
{
    private readonly CultureInfo _culture = CultureInfo.InvariantCulture;

    /// <summary>Gets the default options: invariant culture, unused inputs rejected.</summary>
    public static PromptTemplateOptions Default { get; } = new();

    /// <summary>Gets the culture used to format values, with or without a format specifier (<c>{price:F2}</c>,
    /// <c>{when:yyyy-MM-dd}</c>). Defaults to <see cref="CultureInfo.InvariantCulture"/> so prompts do not change with
    /// the machine's locale.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public CultureInfo Culture
    {
        get => _culture;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _culture = value;
        }
    }

    /// <summary>Gets a value indicating whether the input may provide properties or dictionary keys that the template does
    /// not use. By default (<see langword="false"/>) such inputs are reported as unknown variables in a
    /// <see cref="PromptVariablesException"/>, which catches typos in variable names; set it when one record feeds several
    /// steps of a chain.</summary>
    public bool AllowUnusedInputs { get; init; }
}
