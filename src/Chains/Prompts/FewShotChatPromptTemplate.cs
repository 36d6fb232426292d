using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Prompts;

/// <summary>
/// A chat prompt with examples: each selected example is formatted by <see cref="ExampleTemplate"/> (typically a user
/// message and an assistant message) and the messages are inserted into <see cref="Prompt"/> at its placeholder named
/// <see cref="ExamplesPlaceholder"/>.
/// </summary>
/// <typeparam name="TExample">The example type: a record or a dictionary matching <see cref="ExampleTemplate"/>.</typeparam>
/// <remarks>The input provides <see cref="Prompt"/>'s variables and other placeholders (never the examples placeholder).
/// It is checked before the selector runs; the selector's query is the input's text variables joined by spaces.</remarks>
public sealed class FewShotChatPromptTemplate<TExample>
{
    private readonly TemplateCore _core;
    private readonly InputBinder<TExample> _exampleBinder;
    private readonly int _examplesSlot;

    /// <summary>Creates the template.</summary>
    /// <param name="exampleSelector">Chooses the examples for each input.</param>
    /// <param name="exampleTemplate">Formats one example as messages, e.g. <c>User("{input}")</c>, <c>Assistant("{output}")</c>.</param>
    /// <param name="prompt">The whole prompt, with a <see cref="ChatMessageTemplate.Placeholder"/> where the examples go.</param>
    /// <param name="examplesPlaceholder">The name of that placeholder; default <c>"examples"</c>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="prompt"/> has no placeholder named <paramref name="examplesPlaceholder"/>.</exception>
    /// <exception cref="PromptVariablesException"><typeparamref name="TExample"/> does not match the example template.</exception>
    public FewShotChatPromptTemplate(IExampleSelector<TExample> exampleSelector, ChatPromptTemplate exampleTemplate, ChatPromptTemplate prompt, string examplesPlaceholder = "examples")
    {
        ArgumentNullException.ThrowIfNull(exampleSelector);
        ArgumentNullException.ThrowIfNull(exampleTemplate);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(examplesPlaceholder);
        ExampleSelector = exampleSelector;
        ExampleTemplate = exampleTemplate;
        Prompt = prompt;
        ExamplesPlaceholder = examplesPlaceholder;
        _core = prompt.Core.WithInjected(examplesPlaceholder, nameof(examplesPlaceholder));
        _examplesSlot = _core.SlotOf[examplesPlaceholder];
        _exampleBinder = exampleTemplate.Core.GetBinder<TExample>();
    }

    /// <summary>Creates the template showing all of <paramref name="examples"/> (a <see cref="FixedExampleSelector{TExample}"/>).</summary>
    /// <param name="examples">The examples, in order.</param>
    /// <param name="exampleTemplate">Formats one example as messages.</param>
    /// <param name="prompt">The whole prompt, with a placeholder where the examples go.</param>
    /// <param name="examplesPlaceholder">The name of that placeholder.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="prompt"/> has no placeholder named <paramref name="examplesPlaceholder"/>.</exception>
    /// <exception cref="PromptVariablesException"><typeparamref name="TExample"/> does not match the example template.</exception>
    public FewShotChatPromptTemplate(IEnumerable<TExample> examples, ChatPromptTemplate exampleTemplate, ChatPromptTemplate prompt, string examplesPlaceholder = "examples")
        : this(new FixedExampleSelector<TExample>(examples), exampleTemplate, prompt, examplesPlaceholder)
    {
    }

    /// <summary>Gets the selector that chooses the examples.</summary>
    public IExampleSelector<TExample> ExampleSelector { get; }

    /// <summary>Gets the template that formats one example as messages.</summary>
    public ChatPromptTemplate ExampleTemplate { get; }

    /// <summary>Gets the whole prompt, examples placeholder included.</summary>
    public ChatPromptTemplate Prompt { get; }

    /// <summary>Gets the name of the placeholder where the examples go.</summary>
    public string ExamplesPlaceholder { get; }

    /// <summary>Gets the variables the input must provide (the prompt's, without the examples placeholder).</summary>
    public IReadOnlyList<string> InputVariables => _core.InputVariables;

    /// <summary>Selects examples for the input and formats the messages.</summary>
    /// <typeparam name="TInput">The input type: a record, an anonymous object or a dictionary.</typeparam>
    /// <param name="input">The input.</param>
    /// <param name="cancellationToken">A token that cancels the example selection.</param>
    /// <returns>The messages.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException">Variables are missing or inputs unused (thrown before selecting).</exception>
    public ValueTask<IReadOnlyList<ChatMessage>> FormatMessagesAsync<TInput>(TInput input, CancellationToken cancellationToken = default)
    {
        SlotValues<TInput> values;
        try
        {
            values = _core.GetBinder<TInput>().Bind(input);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<IReadOnlyList<ChatMessage>>(ex);
        }

        return AsReadOnly(FormatAsync(values, cancellationToken));

        static async ValueTask<IReadOnlyList<ChatMessage>> AsReadOnly(ValueTask<ChatMessage[]> messages) => await messages;
    }

    /// <summary>Makes this template a step that turns <typeparamref name="TInput"/> inputs into a chat <see cref="PromptValue"/>.</summary>
    /// <typeparam name="TInput">The input type; a concrete type is checked here.</typeparam>
    /// <returns>The step.</returns>
    /// <exception cref="PromptVariablesException"><typeparamref name="TInput"/> lacks variables or has unused members.</exception>
    public Runnable<TInput, PromptValue> AsRunnable<TInput>() => new FewShotChatRunnable<TInput>(this, _core.GetBinder<TInput>());

    private async ValueTask<ChatMessage[]> FormatAsync<TInput>(SlotValues<TInput> values, CancellationToken cancellationToken)
    {
        var examples = await ExampleSelector.SelectExamplesAsync(_core.RenderQuery(values), cancellationToken);
        var exampleMessages = new List<ChatMessage>();
        foreach (var example in examples)
        {
            exampleMessages.AddRange(ExampleTemplate.Core.RenderMessages(_exampleBinder.Bind(example)));
        }

        return _core.RenderMessages(values.WithInjected(_examplesSlot, exampleMessages));
    }

    private sealed class FewShotChatRunnable<TInput>(FewShotChatPromptTemplate<TExample> template, InputBinder<TInput> binder) : Runnable<TInput, PromptValue>
    {
        public override string Name => "FewShotChatPromptTemplate";

        protected internal override string StepKind => StepKinds.Prompt;

        protected internal override async ValueTask<PromptValue> InvokeCoreAsync(TInput input, RunContext context, CancellationToken cancellationToken)
            => PromptValue.FromOwnedMessages(await template.FormatAsync(binder.Bind(input), cancellationToken));
    }
}
