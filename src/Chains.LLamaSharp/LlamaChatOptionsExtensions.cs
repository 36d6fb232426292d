using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp;

/// <summary>llama.cpp-specific request settings carried in <see cref="ChatOptions.AdditionalProperties"/>.</summary>
public static class LlamaChatOptionsExtensions
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key of a <see cref="GbnfGrammar"/>.</summary>
    public const string GrammarKey = "llama.grammar";

    /// <summary>Constrains the response to <paramref name="grammar"/> (instead of a response format or tools).</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="grammar">The validated grammar.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ChatOptions WithGrammar(this ChatOptions options, GbnfGrammar grammar)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(grammar);
        (options.AdditionalProperties ??= [])[GrammarKey] = grammar;
        return options;
    }
}
