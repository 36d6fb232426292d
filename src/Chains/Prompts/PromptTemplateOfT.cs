using Chains.Runnables;

namespace Chains.Prompts;

/// <summary>
/// A <see cref="PromptTemplate"/> as a step: formats a <typeparamref name="TInput"/> into a text <see cref="PromptValue"/>,
/// ready to pipe into a chat model.
/// </summary>
/// <typeparam name="TInput">The input type: a record or class (bound by its public properties, checked when the step is
/// created), an <c>IReadOnlyDictionary&lt;string, T&gt;</c> or <see cref="object"/> (checked at each call), or a scalar that
/// fills the template's only variable.</typeparam>
/// <remarks>Immutable and thread-safe. Formatting a record allocates the prompt string and the <see cref="PromptValue"/>
/// and nothing else (value-type properties are not boxed).</remarks>
public sealed class PromptTemplate<TInput> : Runnable<TInput, PromptValue>
{
    private readonly InputBinder<TInput> _binder;

    /// <summary>Creates the step from a template.</summary>
    /// <param name="template">The template.</param>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException"><typeparamref name="TInput"/> lacks some variables or has members the
    /// template does not use.</exception>
    public PromptTemplate(PromptTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        Template = template;
        _binder = template.Core.GetBinder<TInput>();
    }

    /// <summary>Parses a template and creates the step.</summary>
    /// <param name="template">The template text.</param>
    /// <param name="options">Culture and input checking.</param>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptTemplateException">The template is malformed.</exception>
    /// <exception cref="PromptVariablesException"><typeparamref name="TInput"/> lacks variables or has unused members.</exception>
    public PromptTemplate(string template, PromptTemplateOptions? options = null)
        : this(new PromptTemplate(template, options))
    {
    }

    /// <summary>Gets the template this step formats.</summary>
    public PromptTemplate Template { get; }

    /// <inheritdoc />
    protected internal override string StepKind => StepKinds.Prompt;

    /// <summary>Formats one input.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException">A dictionary or runtime-typed input does not match the variables.</exception>
    public string Format(TInput input)
    {
        var core = Template.Core;
        return core.RenderText(core.Parts[0], _binder.Bind(input));
    }

    /// <inheritdoc />
    protected internal override ValueTask<PromptValue> InvokeCoreAsync(TInput input, RunContext context, CancellationToken cancellationToken)
    {
        try
        {
            return new ValueTask<PromptValue>(PromptValue.FromTrustedText(Format(input)));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<PromptValue>(ex);
        }
    }
}
