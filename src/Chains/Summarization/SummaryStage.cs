using Chains.Indexes;
using Chains.Parsing;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Summarization;

/// <summary>The values of a prompt over one text (<c>{text}</c>).</summary>
/// <param name="Text">The text to summarize.</param>
internal sealed record SummaryTextInput(string Text);

/// <summary>The values of a refine prompt (<c>{existing_summary}</c> and <c>{text}</c>).</summary>
/// <param name="ExistingSummary">The summary so far.</param>
/// <param name="Text">The next text.</param>
internal sealed record RefineInput(string ExistingSummary, string Text);

/// <summary>Builds the prompt → model → text steps the summarizers run as children.</summary>
internal static class SummaryStage
{
    /// <summary>The separator between documents or summaries given to one prompt.</summary>
    public const string Separator = "\n\n";

    /// <summary>The system message of every default prompt.</summary>
    public const string SystemInstruction =
        "You write concise, faithful summaries that keep the key facts, names and numbers and add nothing that is not in the text. " +
        "Always write in the same language as the text you summarize.";

    /// <summary>Creates a named step that formats <typeparamref name="TInput"/> with <paramref name="prompt"/>, calls the
    /// model and returns its text (streaming the text deltas).</summary>
    /// <exception cref="PromptVariablesException">The prompt does not match <typeparamref name="TInput"/>.</exception>
    public static Runnable<TInput, string> Create<TInput>(ChatPromptTemplate prompt, IChatClient chatClient, ChatOptions? chatOptions, string name)
        => prompt.AsRunnable<TInput>()
            .Pipe(chatClient.AsRunnable(chatOptions))
            .Pipe(new StringOutputParser())
            .WithName(name);

    /// <summary>Joins the documents' contents with blank lines.</summary>
    public static string Join(IReadOnlyList<Document> documents)
        => string.Join(Separator, documents.Select(d => d.Content));

    /// <summary>Checks the input list.</summary>
    /// <exception cref="ArgumentNullException">The list is or holds <see langword="null"/>.</exception>
    public static void Check(IReadOnlyList<Document> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        for (var i = 0; i < documents.Count; i++)
        {
            if (documents[i] is null)
            {
                throw new ArgumentNullException(nameof(documents), $"Document {i} of the list is null.");
            }
        }
    }
}
