using System.Runtime.CompilerServices;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Parsing;

/// <summary>Returns the text of the model's response; while streaming, yields each text delta as it arrives.</summary>
/// <remarks>Invoking it costs only <see cref="ChatResponse.Text"/> (no allocation for a one-message, one-text response).
/// One instance can serve any number of chains.</remarks>
public sealed class StringOutputParser : OutputParser<string>
{
    /// <summary>Returns <paramref name="text"/> unchanged.</summary>
    /// <param name="text">The answer text.</param>
    /// <returns><paramref name="text"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public override string Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text;
    }

    /// <inheritdoc />
    protected internal override ValueTask<string> InvokeCoreAsync(ChatResponse input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ValueTask<string>(input.Text);
    }

    /// <summary>Yields the text of every chunk that has some, as it arrives.</summary>
    /// <param name="input">The model's streamed chunks.</param>
    /// <param name="context">The run context of this step.</param>
    /// <param name="cancellationToken">A token that cancels the step.</param>
    /// <returns>The text deltas.</returns>
    protected internal override async IAsyncEnumerable<string> TransformCoreAsync(IAsyncEnumerable<ChatResponse> input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var chunk in input.WithCancellation(cancellationToken))
        {
            if (chunk?.Text is { Length: > 0 } text)
            {
                yield return text;
            }
        }
    }
}
