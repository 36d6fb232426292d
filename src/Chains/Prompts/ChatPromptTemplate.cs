using Microsoft.Extensions.AI;

namespace Chains.Prompts;

/// <summary>
/// A chat prompt template: system, user and assistant message templates plus placeholders for message lists such as the
/// conversation history. Parsed once, immutable and thread-safe. Format it from a record, an anonymous object or a
/// dictionary, or turn it into a step with <see cref="AsRunnable{TInput}"/>.
/// </summary>
/// <remarks>Variables are shared by all messages and bound as described for <see cref="PromptTemplate"/>. A placeholder's
/// input must be an <c>IEnumerable&lt;ChatMessage&gt;</c> (a single <see cref="ChatMessage"/> is accepted too); a required
/// placeholder that is absent or <see langword="null"/> is reported by a <see cref="PromptVariablesException"/>.</remarks>
public sealed class ChatPromptTemplate
{
    private ChatPromptTemplate(IReadOnlyList<ChatMessageTemplate> messages, TemplateCore core)
    {
        Messages = messages;
        Core = core;
    }

    /// <summary>Creates a chat template from its entries, with default options.</summary>
    /// <param name="messages">The message templates and placeholders, in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/> or holds <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A name is both a text variable and a placeholder, or a placeholder appears twice.</exception>
    public ChatPromptTemplate(params IEnumerable<ChatMessageTemplate> messages)
        : this(messages, null)
    {
    }

    /// <summary>Creates a chat template from its entries.</summary>
    /// <param name="messages">The message templates and placeholders, in order.</param>
    /// <param name="options">Culture and input checking; <see langword="null"/> for <see cref="PromptTemplateOptions.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/> or holds <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A name is both a text variable and a placeholder, or a placeholder appears twice.</exception>
    public ChatPromptTemplate(IEnumerable<ChatMessageTemplate> messages, PromptTemplateOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToArray();
        foreach (var message in list)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
        }

        Messages = list;
        Core = TemplateCore.Create(list.Select(m => m.ToSpec()).ToArray(), options ?? PromptTemplateOptions.Default, nameof(messages));
    }

    /// <summary>Gets the message templates and placeholders, in order.</summary>
    public IReadOnlyList<ChatMessageTemplate> Messages { get; }

    /// <summary>Gets the variables the input must provide: text variables and required placeholders without a partial
    /// value, in order of first use.</summary>
    public IReadOnlyList<string> InputVariables => Core.InputVariables;

    /// <summary>Gets the partial variables: fixed values, or <see cref="Func{TResult}"/> factories evaluated at each format.</summary>
    public IReadOnlyDictionary<string, object?> PartialVariables => Core.PartialVariables;

    /// <summary>Gets the culture and input-checking options.</summary>
    public PromptTemplateOptions Options => Core.Options;

    internal TemplateCore Core { get; }

    internal static ChatPromptTemplate FromCore(IReadOnlyList<ChatMessageTemplate> messages, TemplateCore core) => new(messages, core);

    /// <summary>Returns a copy with a variable or placeholder fixed to a value (for a placeholder: chat messages), so
    /// inputs need not provide it.</summary>
    /// <param name="name">The variable or placeholder.</param>
    /// <param name="value">Its value; a <see cref="Func{TResult}"/> of <see cref="object"/> is evaluated at each format.</param>
    /// <returns>The new template.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">There is no such variable, or a placeholder's value is not chat messages.</exception>
    public ChatPromptTemplate WithPartial(string name, object? value) => new(Messages, Core.WithPartial(name, value, nameof(name)));

    /// <summary>Returns a copy whose variable is computed by <paramref name="factory"/> each time the template is formatted.</summary>
    /// <param name="name">The variable.</param>
    /// <param name="factory">Computes the value; called once per format.</param>
    /// <returns>The new template.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">There is no such variable.</exception>
    public ChatPromptTemplate WithPartial(string name, Func<object?> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(Messages, Core.WithPartial(name, factory, nameof(name)));
    }

    /// <summary>Formats the messages from a dictionary, a record or an anonymous object.</summary>
    /// <typeparam name="TValues">The values' type.</typeparam>
    /// <param name="values">The values.</param>
    /// <returns>The messages: one per message template, plus the messages of each placeholder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException">Variables or required placeholders are missing, or inputs unused.</exception>
    /// <exception cref="ArgumentException">A placeholder's value is not chat messages.</exception>
    public IReadOnlyList<ChatMessage> FormatMessages<TValues>(TValues values)
        => Core.RenderMessages(Core.GetBinder<TValues>().Bind(values));

    /// <summary>Makes this template a step that turns <typeparamref name="TInput"/> inputs into a chat
    /// <see cref="PromptValue"/>.</summary>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <returns>The step.</returns>
    /// <exception cref="PromptVariablesException"><typeparamref name="TInput"/> lacks variables or has unused members.</exception>
    public ChatPromptTemplate<TInput> AsRunnable<TInput>() => new(this);
}
