namespace Chains.Prompts;

/// <summary>
/// A text prompt template such as <c>"Translate {text} into {language}"</c>: parsed once, immutable and thread-safe.
/// Format it from a record, an anonymous object or a dictionary, or turn it into a step with
/// <see cref="AsRunnable{TInput}"/> / <see cref="For{TInput}"/>.
/// </summary>
/// <remarks>
/// <para>Syntax: <c>{name}</c> inserts a variable; <c>{price:F2}</c> or <c>{when:yyyy-MM-dd}</c> formats it with a .NET
/// format string and <see cref="PromptTemplateOptions.Culture"/> (invariant by default); <c>{{</c> and <c>}}</c> are
/// literal braces. Variable names are Unicode letters, digits and underscores starting with a letter or underscore, so
/// <c>"请用{语言}回答：{问题}"</c> works. A <see langword="null"/> value formats as an empty string.</para>
/// <para>Binding: a dictionary (<c>IReadOnlyDictionary&lt;string, T&gt;</c>) is read by key (ordinal); any other object by
/// its public properties and fields, matched to a variable by exact name, else ignoring case, else ignoring case and
/// underscores (so <c>{chat_history}</c> reads <c>ChatHistory</c>). Accessors are compiled once per type. A string, number,
/// date or enum input fills the template's only input variable.</para>
/// <para>Checking: every variable must come from the input or a partial variable, and every property or key of the input
/// must be used by the template unless <see cref="PromptTemplateOptions.AllowUnusedInputs"/> is set; otherwise a
/// <see cref="PromptVariablesException"/> names all missing and unknown variables. For a concrete input type this happens
/// once, when the binding is created.</para>
/// </remarks>
public sealed class PromptTemplate
{
    private PromptTemplate(TemplateCore core)
    {
        Core = core;
    }

    /// <summary>Parses a template.</summary>
    /// <param name="template">The template text, e.g. <c>"Answer in {language}: {question}"</c>.</param>
    /// <param name="options">Culture and input checking; <see langword="null"/> for <see cref="PromptTemplateOptions.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptTemplateException">The template is malformed (the message gives the position).</exception>
    public PromptTemplate(string template, PromptTemplateOptions? options = null)
        : this(CreateCore(template, options))
    {
    }

    /// <summary>Gets the template text as written.</summary>
    public string Template => Core.Parts[0].Parsed!.Source;

    /// <summary>Gets the variables the input must provide (those without a partial value), in order of first use.</summary>
    public IReadOnlyList<string> InputVariables => Core.InputVariables;

    /// <summary>Gets the partial variables: fixed values, or <see cref="Func{TResult}"/> factories evaluated at each format.</summary>
    public IReadOnlyDictionary<string, object?> PartialVariables => Core.PartialVariables;

    /// <summary>Gets the culture and input-checking options.</summary>
    public PromptTemplateOptions Options => Core.Options;

    internal TemplateCore Core { get; }

    internal static PromptTemplate FromCore(TemplateCore core) => new(core);

    /// <summary>Creates a step that formats <typeparamref name="TInput"/> inputs with a new template.</summary>
    /// <typeparam name="TInput">The input type: a record or class, a dictionary, a scalar, or <see cref="object"/>.</typeparam>
    /// <param name="template">The template text.</param>
    /// <param name="options">Culture and input checking.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptTemplateException">The template is malformed.</exception>
    /// <exception cref="PromptVariablesException"><typeparamref name="TInput"/> lacks variables or has unused members.</exception>
    public static PromptTemplate<TInput> For<TInput>(string template, PromptTemplateOptions? options = null)
        => new(new PromptTemplate(template, options));

    /// <summary>Returns a copy of this template with a variable fixed to a value, so inputs need not provide it (an input
    /// that does provide it wins).</summary>
    /// <param name="name">The variable.</param>
    /// <param name="value">Its value; a <see cref="Func{TResult}"/> of <see cref="object"/> is evaluated at each format.</param>
    /// <returns>The new template.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The template has no variable <paramref name="name"/>.</exception>
    public PromptTemplate WithPartial(string name, object? value) => new(Core.WithPartial(name, value, nameof(name)));

    /// <summary>Returns a copy of this template whose variable is computed by <paramref name="factory"/> each time the
    /// template is formatted (e.g. today's date).</summary>
    /// <param name="name">The variable.</param>
    /// <param name="factory">Computes the value; called once per format.</param>
    /// <returns>The new template.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The template has no variable <paramref name="name"/>.</exception>
    public PromptTemplate WithPartial(string name, Func<object?> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(Core.WithPartial(name, factory, nameof(name)));
    }

    /// <summary>Formats the template with the values of <paramref name="values"/>: a dictionary, a record or an anonymous
    /// object such as <c>new { language = "French", question = "..." }</c>.</summary>
    /// <typeparam name="TValues">The values' type; accessors are compiled once per type.</typeparam>
    /// <param name="values">The values.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException">Variables are missing or inputs unused.</exception>
    public string Format<TValues>(TValues values)
        => Core.RenderText(Core.Parts[0], Core.GetBinder<TValues>().Bind(values));

    /// <summary>Makes this template a step that turns <typeparamref name="TInput"/> inputs into a text
    /// <see cref="PromptValue"/>.</summary>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <returns>The step.</returns>
    /// <exception cref="PromptVariablesException"><typeparamref name="TInput"/> lacks variables or has unused members.</exception>
    public PromptTemplate<TInput> AsRunnable<TInput>() => new(this);

    /// <summary>Returns the template text.</summary>
    /// <returns>The template text.</returns>
    public override string ToString() => Template;

    private static TemplateCore CreateCore(string template, PromptTemplateOptions? options)
    {
        ArgumentNullException.ThrowIfNull(template);
        return TemplateCore.Create([new PartSpec(ParsedTemplate.Parse(template, nameof(template)), null, null, false)], options ?? PromptTemplateOptions.Default, nameof(template));
    }
}
