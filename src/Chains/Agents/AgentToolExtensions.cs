using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chains.Indexes;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Agents;

/// <summary>
/// Makes steps and retrievers tools an agent can call. C# methods become tools with M.E.AI's
/// <see cref="AIFunctionFactory"/>; MCP servers' tools are <see cref="AIFunction"/>s already; wrap any tool in an
/// <see cref="ApprovalRequiredAIFunction"/> to have calls approved first.
/// </summary>
public static partial class AgentToolExtensions
{
    /// <summary>Makes a step (a chain, a prompt-model-parser pipeline, another agent...) a tool. An input record's
    /// properties become the tool's parameters; any other input type is one parameter named <c>input</c> (text for an
    /// <see cref="AgentInput"/> or <see cref="PromptValue"/>, so an agent or a model step is a tool taking a request in
    /// words). When an agent
    /// calls the tool, the step runs as a child of the tool call, so its events and spans nest under it.</summary>
    /// <typeparam name="TIn">The step's input type.</typeparam>
    /// <typeparam name="TOut">The step's output type.</typeparam>
    /// <param name="step">The step.</param>
    /// <param name="name">The tool's name: letters, digits, <c>_</c> and <c>-</c>, at most 64 characters.</param>
    /// <param name="description">What the tool does and when to use it, for the model.</param>
    /// <param name="formatResult">Turns the output into what the model sees; default: strings and chat responses as text,
    /// an <see cref="AgentResult"/> as its text, other values as JSON.</param>
    /// <param name="serializerOptions">Options for the parameter schema and for reading the arguments; default: M.E.AI's
    /// <see cref="AIJsonUtilities.DefaultOptions"/> (camelCase, like <see cref="AIFunctionFactory"/>).</param>
    /// <returns>The tool.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="step"/>, <paramref name="name"/> or <paramref name="description"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid tool name.</exception>
    public static AIFunction AsTool<TIn, TOut>(this Runnable<TIn, TOut> step, string name, string description, Func<TOut, object?>? formatResult = null, JsonSerializerOptions? serializerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(description);
        Func<string, TIn>? fromText = typeof(TIn) == typeof(AgentInput) ? text => (TIn)(object)new AgentInput(text)
            : typeof(TIn) == typeof(PromptValue) ? text => (TIn)(object)PromptValue.FromText(text)
            : null;
        return new RunnableTool<TIn, TOut>(
            step,
            name,
            description,
            formatResult ?? DefaultFormat<TOut>,
            serializerOptions ?? AIJsonUtilities.DefaultOptions,
            parameterName: fromText is null ? null : "input",
            parameterDescription: fromText is null ? null : "The request, in words.",
            fromText);
    }

    /// <summary>Makes a retriever a search tool with one parameter, <c>query</c>. The model gets the documents as
    /// numbered passages with their sources, or a note that nothing was found.</summary>
    /// <param name="retriever">The retriever.</param>
    /// <param name="name">The tool's name: letters, digits, <c>_</c> and <c>-</c>, at most 64 characters.</param>
    /// <param name="description">What the tool searches, for the model (e.g. "Searches the product manuals.").</param>
    /// <param name="formatDocuments">Turns the documents into what the model sees; default: numbered passages.</param>
    /// <returns>The tool.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="retriever"/>, <paramref name="name"/> or <paramref name="description"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid tool name.</exception>
    public static AIFunction AsTool(this Retriever retriever, string name, string description, Func<IReadOnlyList<Document>, string>? formatDocuments = null)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(description);
        var format = formatDocuments ?? FormatDocuments;
        return new RunnableTool<string, IReadOnlyList<Document>>(
            retriever,
            name,
            description,
            docs => format(docs),
            AIJsonUtilities.DefaultOptions,
            parameterName: "query",
            parameterDescription: "What to search for.");
    }

    /// <summary>Formats documents as numbered passages with their sources: the default of
    /// <see cref="AsTool(Retriever, string, string, Func{IReadOnlyList{Document}, string})"/>.</summary>
    /// <param name="documents">The documents.</param>
    /// <returns>The text for the model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="documents"/> is <see langword="null"/>.</exception>
    public static string FormatDocuments(IReadOnlyList<Document> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Count == 0)
        {
            return "No documents found.";
        }

        var builder = new StringBuilder();
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i];
            if (i > 0)
            {
                builder.Append("\n\n");
            }

            builder.Append('[').Append(i + 1).Append("] ").Append(document.Source ?? document.Id);
            if (document.Source is not null)
            {
                builder.Append(" (").Append(document.Id).Append(')');
            }

            builder.Append('\n').Append(document.Content);
        }

        return builder.ToString();
    }

    internal static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ToolName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid tool name: use 1 to 64 letters, digits, '_' or '-'.", nameof(name));
        }
    }

    private static object? DefaultFormat<TOut>(TOut output) => output switch
    {
        null => null,
        string s => s,
        ChatResponse response => response.Text,
        AgentResult result => result.Text,
        _ => output,
    };

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ToolName();
}
