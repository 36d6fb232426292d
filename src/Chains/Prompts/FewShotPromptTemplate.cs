using System.Text;
using Chains.Runnables;

namespace Chains.Prompts;

/// <summary>
/// A text prompt with examples: <c>prefix</c>, then each selected example formatted by <see cref="ExampleTemplate"/>,
/// then <c>suffix</c>, joined by <see cref="Separator"/> (empty pieces are skipped). Prefix and suffix are templates that
/// share the input's variables; the examples are chosen per input by an <see cref="IExampleSelector{TExample}"/>.
/// </summary>
/// <typeparam name="TExample">The example type: a record or a dictionary matching <see cref="ExampleTemplate"/>.</typeparam>
/// <remarks>The input is checked (missing and unknown variables) before the selector runs, so a bad input never costs an
/// embedding call. The selector's query is the input's text variables, formatted and joined by spaces. Example text is
/// inserted as is: braces in examples need no escaping.</remarks>
public sealed class FewShotPromptTemplate<TExample>
{
    private readonly TemplateCore _core;
    private readonly InputBinder<TExample> _exampleBinder;
    private readonly int _prefixPart;
    private readonly int _suffixPart;

    /// <summary>Creates the template.</summary>
    /// <param name="exampleSelector">Chooses the examples for each input.</param>
    /// <param name="exampleTemplate">Formats one example, e.g. <c>"Q: {question}\nA: {answer}"</c>.</param>
    /// <param name="suffix">The template after the examples, usually holding the input, e.g. <c>"Q: {input}\nA:"</c>.</param>
    /// <param name="prefix">The template before the examples, e.g. an instruction; <see langword="null"/> for none.</param>
    /// <param name="separator">Put between prefix, examples and suffix; default a blank line.</param>
    /// <param name="options">Culture and input checking for prefix and suffix.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="PromptTemplateException">The prefix or suffix is malformed.</exception>
    /// <exception cref="PromptVariablesException"><typeparamref name="TExample"/> does not match the example template.</exception>
    public FewShotPromptTemplate(IExampleSelector<TExample> exampleSelector, PromptTemplate exampleTemplate, string suffix, string? prefix = null, string separator = "\n\n", PromptTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(exampleSelector);
        ArgumentNullException.ThrowIfNull(exampleTemplate);
        ArgumentNullException.ThrowIfNull(suffix);
        ArgumentNullException.ThrowIfNull(separator);
        ExampleSelector = exampleSelector;
        ExampleTemplate = exampleTemplate;
        Separator = separator;
        var parts = new List<PartSpec>(2);
        _prefixPart = -1;
        if (!string.IsNullOrEmpty(prefix))
        {
            _prefixPart = parts.Count;
            parts.Add(new PartSpec(ParsedTemplate.Parse(prefix, nameof(prefix)), null, null, false));
        }

        _suffixPart = parts.Count;
        parts.Add(new PartSpec(ParsedTemplate.Parse(suffix, nameof(suffix)), null, null, false));
        _core = TemplateCore.Create(parts, options ?? PromptTemplateOptions.Default, nameof(suffix));
        _exampleBinder = exampleTemplate.Core.GetBinder<TExample>();
    }

    /// <summary>Creates the template showing all of <paramref name="examples"/> (a <see cref="FixedExampleSelector{TExample}"/>).</summary>
    /// <param name="examples">The examples, in order.</param>
    /// <param name="exampleTemplate">Formats one example.</param>
    /// <param name="suffix">The template after the examples.</param>
    /// <param name="prefix">The template before the examples; <see langword="null"/> for none.</param>
    /// <param name="separator">Put between prefix, examples and suffix.</param>
    /// <param name="options">Culture and input checking for prefix and suffix.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="PromptTemplateException">The prefix or suffix is malformed.</exception>
    /// <exception cref="PromptVariablesException"><typeparamref name="TExample"/> does not match the example template.</exception>
    public FewShotPromptTemplate(IEnumerable<TExample> examples, PromptTemplate exampleTemplate, string suffix, string? prefix = null, string separator = "\n\n", PromptTemplateOptions? options = null)
        : this(new FixedExampleSelector<TExample>(examples), exampleTemplate, suffix, prefix, separator, options)
    {
    }

    private FewShotPromptTemplate(FewShotPromptTemplate<TExample> other, TemplateCore core)
    {
        ExampleSelector = other.ExampleSelector;
        ExampleTemplate = other.ExampleTemplate;
        Separator = other.Separator;
        _exampleBinder = other._exampleBinder;
        _prefixPart = other._prefixPart;
        _suffixPart = other._suffixPart;
        _core = core;
    }

    /// <summary>Gets the selector that chooses the examples.</summary>
    public IExampleSelector<TExample> ExampleSelector { get; }

    /// <summary>Gets the template that formats one example.</summary>
    public PromptTemplate ExampleTemplate { get; }

    /// <summary>Gets the prefix template text (empty when there is none).</summary>
    public string Prefix => _prefixPart >= 0 ? _core.Parts[_prefixPart].Parsed!.Source : string.Empty;

    /// <summary>Gets the suffix template text.</summary>
    public string Suffix => _core.Parts[_suffixPart].Parsed!.Source;

    /// <summary>Gets the text put between prefix, examples and suffix.</summary>
    public string Separator { get; }

    /// <summary>Gets the variables the input must provide (prefix and suffix variables without a partial value).</summary>
    public IReadOnlyList<string> InputVariables => _core.InputVariables;

    /// <summary>Returns a copy with a prefix or suffix variable fixed to a value.</summary>
    /// <param name="name">The variable.</param>
    /// <param name="value">Its value; a <see cref="Func{TResult}"/> of <see cref="object"/> is evaluated at each format.</param>
    /// <returns>The new template.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Neither prefix nor suffix uses <paramref name="name"/>.</exception>
    public FewShotPromptTemplate<TExample> WithPartial(string name, object? value) => new(this, _core.WithPartial(name, value, nameof(name)));

    /// <summary>Returns a copy with a prefix or suffix variable computed at each format.</summary>
    /// <param name="name">The variable.</param>
    /// <param name="factory">Computes the value; called once per format.</param>
    /// <returns>The new template.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Neither prefix nor suffix uses <paramref name="name"/>.</exception>
    public FewShotPromptTemplate<TExample> WithPartial(string name, Func<object?> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(this, _core.WithPartial(name, factory, nameof(name)));
    }

    /// <summary>Selects examples for the input and formats the prompt.</summary>
    /// <typeparam name="TInput">The input type: a record, an anonymous object or a dictionary.</typeparam>
    /// <param name="input">The input.</param>
    /// <param name="cancellationToken">A token that cancels the example selection.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException">Variables are missing or inputs unused (thrown before selecting).</exception>
    public ValueTask<string> FormatAsync<TInput>(TInput input, CancellationToken cancellationToken = default)
    {
        SlotValues<TInput> values;
        try
        {
            values = _core.GetBinder<TInput>().Bind(input);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<string>(ex);
        }

        return FormatAsync(values, cancellationToken);
    }

    /// <summary>Makes this template a step that turns <typeparamref name="TInput"/> inputs into a text <see cref="PromptValue"/>.</summary>
    /// <typeparam name="TInput">The input type; a concrete type is checked here.</typeparam>
    /// <returns>The step.</returns>
    /// <exception cref="PromptVariablesException"><typeparamref name="TInput"/> lacks variables or has unused members.</exception>
    public Runnable<TInput, PromptValue> AsRunnable<TInput>() => new FewShotRunnable<TInput>(this, _core.GetBinder<TInput>());

    private async ValueTask<string> FormatAsync<TInput>(SlotValues<TInput> values, CancellationToken cancellationToken)
    {
        var examples = await ExampleSelector.SelectExamplesAsync(_core.RenderQuery(values), cancellationToken);
        var builder = new StringBuilder();
        if (_prefixPart >= 0)
        {
            Append(builder, _core.RenderText(_core.Parts[_prefixPart], values));
        }

        var exampleCore = ExampleTemplate.Core;
        foreach (var example in examples)
        {
            Append(builder, exampleCore.RenderText(exampleCore.Parts[0], _exampleBinder.Bind(example)));
        }

        Append(builder, _core.RenderText(_core.Parts[_suffixPart], values));
        return builder.ToString();
    }

    private void Append(StringBuilder builder, string piece)
    {
        if (piece.Length == 0)
        {
            return;
        }

        if (builder.Length > 0)
        {
            builder.Append(Separator);
        }

        builder.Append(piece);
    }

    private sealed class FewShotRunnable<TInput>(FewShotPromptTemplate<TExample> template, InputBinder<TInput> binder) : Runnable<TInput, PromptValue>
    {
        public override string Name => "FewShotPromptTemplate";

        protected internal override string StepKind => StepKinds.Prompt;

        protected internal override async ValueTask<PromptValue> InvokeCoreAsync(TInput input, RunContext context, CancellationToken cancellationToken)
            => PromptValue.FromTrustedText(await template.FormatAsync(binder.Bind(input), cancellationToken));
    }
}
