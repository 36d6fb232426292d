using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>How a <see cref="SummaryBufferChatReducer"/> summarises.</summary>
public sealed record SummaryBufferOptions
{
    /// <summary>The default instructions for the summarising model.</summary>
    public const string DefaultInstructions =
        "Progressively summarize the conversation lines provided, adding onto the previous summary. Keep names, facts, " +
        "numbers, decisions, preferences and open questions; drop pleasantries. Write in the language of the conversation. " +
        "Return only the new summary.";

    /// <summary>Gets how many non-system messages stay verbatim after summarising (default: half the maximum, at least 1).</summary>
    public int? TargetMessages { get; init; }

    /// <summary>Gets the system instructions of the summarising request (default <see cref="DefaultInstructions"/>).</summary>
    public string Instructions { get; init; } = DefaultInstructions;

    /// <summary>Gets the options of the summarising request (model, temperature...), or <see langword="null"/>.</summary>
    public ChatOptions? ChatOptions { get; init; }
}
