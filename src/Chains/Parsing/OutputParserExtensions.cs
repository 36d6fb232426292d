using Microsoft.Extensions.AI;

namespace Chains.Parsing;

/// <summary>Operators on output parsers.</summary>
public static class OutputParserExtensions
{
    /// <summary>Makes a parser that, when <paramref name="parser"/> fails with an <see cref="OutputParserException"/>, asks
    /// <paramref name="model"/> to fix the answer (giving it the format instructions, the bad answer and the error) and
    /// parses the reply, at most <paramref name="maxAttempts"/> times.</summary>
    /// <typeparam name="T">The parsed type.</typeparam>
    /// <param name="parser">The parser whose failures are fixed.</param>
    /// <param name="model">The model asked to fix a bad answer.</param>
    /// <param name="maxAttempts">The most times the model is asked to fix the answer (at least 1).</param>
    /// <returns>The fixing parser; every parse and re-ask shows in the run's events as its child step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parser"/> or <paramref name="model"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is less than 1.</exception>
    public static OutputFixingParser<T> WithFixing<T>(this OutputParser<T> parser, IChatClient model, int maxAttempts = 2)
        => new(parser, model, maxAttempts);
}
