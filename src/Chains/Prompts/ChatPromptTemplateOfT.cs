using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Prompts;

/// <summary>
/// A <see cref="ChatPromptTemplate"/> as a step: formats a <typeparamref name="TInput"/> into a chat
/// <see cref="PromptValue"/> (a list of <see cref="ChatMessage"/>), ready to pipe into a chat model.
/// </summary>
/// <typeparam name="TInput">The input type; a concrete record or class is checked against the variables and
/// placeholders when the step is created.</typeparam>
public sealed class ChatPromptTemplate<TInput> : Runnable<TInput, PromptValue>
{
    private readonly InputBinder<TInput> _binder;

    /// <summary>Creates the step from a chat template.</summary>
    /// <param name="template">The template.</param>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException"><typeparamref name="TInput"/> lacks variables or placeholders, or has
    /// members the template does not use.</exception>
    /// <exception cref="ArgumentException">A member filling a placeholder is not an <c>IEnumerable&lt;ChatMessage&gt;</c>.</exception>
    public ChatPromptTemplate(ChatPromptTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        Template = template;
        _binder = template.Core.GetBinder<TInput>();
    }

    /// <summary>Creates the step from message templates and placeholders, with default options.</summary>
    /// <param name="messages">The entries, in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException"><typeparamref name="TInput"/> does not match the variables.</exception>
    public ChatPromptTemplate(params IEnumerable<ChatMessageTemplate> messages)
        : this(new ChatPromptTemplate(messages, null))
    {
    }

    /// <summary>Gets the template this step formats.</summary>
    public ChatPromptTemplate Template { get; }

    /// <inheritdoc />
    protected internal override string StepKind => StepKinds.Prompt;

    /// <summary>Formats one input.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The messages.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException">The input does not match the variables, or a required placeholder is null.</exception>
    public IReadOnlyList<ChatMessage> FormatMessages(TInput input) => Render(input);

    /// <inheritdoc />
    protected internal override ValueTask<PromptValue> InvokeCoreAsync(TInput input, RunContext context, CancellationToken cancellationToken)
    {
        try
        {
            return new ValueTask<PromptValue>(PromptValue.FromOwnedMessages(Render(input)));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<PromptValue>(ex);
        }
    }

    private ChatMessage[] Render(TInput input) => Template.Core.RenderMessages(_binder.Bind(input));
}
