using Microsoft.Extensions.AI;

namespace Chains.Prompts;

/// <summary>
/// One entry of a <see cref="ChatPromptTemplate"/>: a message template with a role (<see cref="System"/>,
/// <see cref="User"/>, <see cref="Assistant"/>, <see cref="FromRole"/>) or a placeholder that expands to a list of chat
/// messages taken from the input (<see cref="Placeholder"/>), e.g. the conversation history.
/// </summary>
/// <remarks>The template text is parsed when the entry is created, so a malformed template fails immediately.</remarks>
public sealed class ChatMessageTemplate
{
    private ChatMessageTemplate(ChatRole? role, ParsedTemplate? parsed, string? placeholderName, bool isOptional)
    {
        Role = role;
        Parsed = parsed;
        PlaceholderName = placeholderName;
        IsOptional = isOptional;
    }

    /// <summary>Gets the role of the message, or <see langword="null"/> for a placeholder.</summary>
    public ChatRole? Role { get; }

    /// <summary>Gets the message's template text, or <see langword="null"/> for a placeholder.</summary>
    public string? Template => Parsed?.Source;

    /// <summary>Gets the name of the input property or key holding the placeholder's messages, or <see langword="null"/>
    /// for a message template.</summary>
    public string? PlaceholderName { get; }

    /// <summary>Gets a value indicating whether this entry is a messages placeholder.</summary>
    public bool IsPlaceholder => PlaceholderName is not null;

    /// <summary>Gets a value indicating whether a placeholder may be absent or <see langword="null"/> in the input (it then
    /// expands to no messages); a required one that is absent fails with a <see cref="PromptVariablesException"/>.</summary>
    public bool IsOptional { get; }

    internal ParsedTemplate? Parsed { get; }

    /// <summary>Creates a system message template.</summary>
    /// <param name="template">The template text.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptTemplateException">The template is malformed.</exception>
    public static ChatMessageTemplate System(string template) => FromRole(ChatRole.System, template);

    /// <summary>Creates a user message template.</summary>
    /// <param name="template">The template text.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptTemplateException">The template is malformed.</exception>
    public static ChatMessageTemplate User(string template) => FromRole(ChatRole.User, template);

    /// <summary>Creates an assistant message template (e.g. for few-shot answers).</summary>
    /// <param name="template">The template text.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptTemplateException">The template is malformed.</exception>
    public static ChatMessageTemplate Assistant(string template) => FromRole(ChatRole.Assistant, template);

    /// <summary>Creates a message template with any role.</summary>
    /// <param name="role">The role.</param>
    /// <param name="template">The template text.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptTemplateException">The template is malformed.</exception>
    public static ChatMessageTemplate FromRole(ChatRole role, string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        return new ChatMessageTemplate(role, ParsedTemplate.Parse(template, nameof(template)), null, false);
    }

    /// <summary>Creates a placeholder that expands to the chat messages held by the input property or key
    /// <paramref name="name"/> (an <c>IEnumerable&lt;ChatMessage&gt;</c> such as <c>IReadOnlyList&lt;ChatMessage&gt;</c>).</summary>
    /// <param name="name">The input property or key, e.g. <c>"history"</c>.</param>
    /// <param name="optional">Whether the input may omit it (then it expands to nothing).</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid variable name.</exception>
    public static ChatMessageTemplate Placeholder(string name, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ParsedTemplate.IsIdentifier(name))
        {
            throw new ArgumentException($"'{name}' is not a valid placeholder name; use letters, digits and underscores, starting with a letter or underscore.", nameof(name));
        }

        return new ChatMessageTemplate(null, null, name, optional);
    }

    /// <summary>Returns the entry as <c>role: template</c> or <c>{{name}}</c> for a placeholder.</summary>
    /// <returns>A description of the entry.</returns>
    public override string ToString() => IsPlaceholder ? $"{{{{{PlaceholderName}}}}}{(IsOptional ? "?" : "")}" : $"{Role}: {Template}";

    internal PartSpec ToSpec() => new(Parsed, Role, PlaceholderName, IsOptional);
}
