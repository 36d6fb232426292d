using Chains.Prompts;
using Microsoft.Extensions.AI;

namespace Chains.Rag;

/// <summary>Options of <see cref="ConversationalRetrievalQa"/>, checked when the chain is created.</summary>
public sealed record ConversationalRetrievalQaOptions
{
    /// <summary>Gets the prompt that condenses history and follow-up into a standalone question; it must use exactly the
    /// variable <c>{question}</c> and the placeholder <c>history</c>. <see cref="ConversationalRetrievalQa.DefaultCondensePrompt"/>
    /// when <see langword="null"/>.</summary>
    public ChatPromptTemplate? CondensePrompt { get; init; }

    /// <summary>Gets the chat options of the condensing call, or <see langword="null"/>.</summary>
    public ChatOptions? ChatOptions { get; init; }
}
