using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Parsing;

/// <summary>
/// A step that turns a chat model's response into a typed value: <c>prompt.Pipe(chatClient.AsRunnable()).Pipe(parser)</c>.
/// </summary>
/// <typeparam name="T">The parsed type.</typeparam>
/// <remarks>
/// <para>Derive from this class and implement <see cref="Parse"/>; the step parses the response's text with it. Put
/// <see cref="FormatInstructions"/> in the prompt so that the model answers in the format the parser expects.</para>
/// <para>Parsers that can produce output before the whole response has arrived override
/// <see cref="Runnable{TIn,TOut}.TransformCoreAsync"/>, which receives the model's streamed chunks (one
/// <see cref="ChatResponse"/> per update, its <see cref="ChatResponse.Text"/> being the text delta).</para>
/// <para>A parser that cannot make sense of the text throws an <see cref="OutputParserException"/> carrying that text.</para>
/// </remarks>
public abstract class OutputParser<T> : Runnable<ChatResponse, T>
{
    /// <summary>Gets text to put in the prompt that tells the model how to format its answer for this parser; empty when
    /// the parser needs no particular format.</summary>
    public virtual string FormatInstructions => string.Empty;

    /// <summary>Gets <see cref="StepKinds.Parser"/>.</summary>
    protected internal override string StepKind => StepKinds.Parser;

    /// <summary>Parses a model's answer.</summary>
    /// <param name="text">The answer text.</param>
    /// <returns>The parsed value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="OutputParserException">The text is not in the expected format.</exception>
    public abstract T Parse(string text);

    /// <summary>Parses the response's text with <see cref="Parse"/>.</summary>
    /// <param name="input">The model's response.</param>
    /// <param name="context">The run context of this step.</param>
    /// <param name="cancellationToken">A token that cancels the step.</param>
    /// <returns>The parsed value, or a faulted task when parsing failed.</returns>
    protected internal override ValueTask<T> InvokeCoreAsync(ChatResponse input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            return new ValueTask<T>(Parse(input.Text));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<T>(ex);
        }
    }
}
