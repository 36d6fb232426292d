using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Parsing;

/// <summary>
/// Wraps a parser so that an answer it cannot parse is sent back to a model to be fixed: the model gets the parser's
/// format instructions, the bad answer and the error, and its reply is parsed again, up to a bounded number of times.
/// Made by <see cref="OutputParserExtensions.WithFixing{T}"/>.
/// </summary>
/// <typeparam name="T">The parsed type.</typeparam>
/// <remarks>
/// <para>Each parse and each re-ask is a child step of this one, so a run's events show every attempt: the inner
/// parser's failure, then the model call, then the next parse.</para>
/// <para>Fixing happens when the step runs (invoked, streamed or piped after a model). <see cref="Parse"/> cannot call
/// the model and parses without fixing. A streamed input is combined before parsing, so this step yields one chunk.</para>
/// </remarks>
public sealed class OutputFixingParser<T> : OutputParser<T>
{
    private readonly OutputParser<T> _parser;
    private readonly Runnable<PromptValue, ChatResponse> _model;
    private readonly int _maxAttempts;

    /// <summary>Initializes a new instance of the <see cref="OutputFixingParser{T}"/> class.</summary>
    /// <param name="parser">The parser whose failures are fixed.</param>
    /// <param name="model">The model asked to fix a bad answer.</param>
    /// <param name="maxAttempts">The most times the model is asked to fix the answer (at least 1).</param>
    /// <exception cref="ArgumentNullException"><paramref name="parser"/> or <paramref name="model"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is less than 1.</exception>
    public OutputFixingParser(OutputParser<T> parser, IChatClient model, int maxAttempts = 2)
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        _parser = parser;
        _model = model.AsRunnable();
        _maxAttempts = maxAttempts;
    }

    /// <summary>Gets the inner parser's format instructions.</summary>
    public override string FormatInstructions => _parser.FormatInstructions;

    /// <summary>Parses with the inner parser, without fixing (fixing needs the model, which runs only in a step run).</summary>
    /// <param name="text">The answer text.</param>
    /// <returns>The parsed value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="OutputParserException">The inner parser failed.</exception>
    public override T Parse(string text) => _parser.Parse(text);

    /// <summary>Parses the response, asking the model to fix it after each failure until it parses or the attempts are
    /// used up.</summary>
    /// <param name="input">The model's response.</param>
    /// <param name="context">The run context of this step; parses and model calls run as its children.</param>
    /// <param name="cancellationToken">A token that cancels the step.</param>
    /// <returns>The parsed value.</returns>
    /// <exception cref="OutputParserException">The last fixed answer still could not be parsed; its
    /// <see cref="OutputParserException.RawText"/> is that answer and the inner exception the last parse failure.</exception>
    protected internal override async ValueTask<T> InvokeCoreAsync(ChatResponse input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        OutputParserException failure;
        try
        {
            return await context.InvokeAsync(_parser, input, cancellationToken);
        }
        catch (OutputParserException ex)
        {
            failure = ex;
        }

        for (var attempt = 1; ; attempt++)
        {
            var prompt = PromptValue.FromText(FixPrompt(failure));
            var fixedResponse = await context.InvokeAsync(_model, prompt, cancellationToken);
            try
            {
                return await context.InvokeAsync(_parser, fixedResponse, cancellationToken);
            }
            catch (OutputParserException ex) when (attempt < _maxAttempts)
            {
                failure = ex;
            }
            catch (OutputParserException ex)
            {
                throw new OutputParserException(
                    $"The answer could not be parsed after {_maxAttempts} attempt(s) to fix it: {ex.Message}",
                    ex.RawText,
                    ex.TargetType,
                    ex);
            }
        }
    }

    private string FixPrompt(OutputParserException failure)
    {
        var instructions = _parser.FormatInstructions is { Length: > 0 } text ? text : $"Produce a value that can be read as {typeof(T).Name}.";
        return $"""
            Instructions:
            {instructions}

            Answer:
            {failure.RawText}

            The answer above does not follow the instructions. The error was:
            {failure.Message}

            Write the answer again so that it follows the instructions. Reply with the corrected answer only.
            """;
    }
}
