namespace Chains.LLamaSharp;

/// <summary>A GBNF grammar is invalid (undefined or missing rules, unbalanced brackets or quotes, bad escapes, left
/// recursion...) or cannot be satisfied. Grammars are checked in managed code before llama.cpp sees them, because
/// llama.cpp crashes the process on some invalid grammars.</summary>
public sealed class GbnfGrammarException : FormatException
{
    /// <summary>Initializes a new instance of the <see cref="GbnfGrammarException"/> class.</summary>
    public GbnfGrammarException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GbnfGrammarException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    public GbnfGrammarException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GbnfGrammarException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public GbnfGrammarException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GbnfGrammarException"/> class for a syntax error.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="line">The 1-based line of the error.</param>
    /// <param name="column">The 1-based column of the error.</param>
    public GbnfGrammarException(string message, int line, int column)
        : base($"{message} (line {line}, column {column})")
    {
        Line = line;
        Column = column;
    }

    /// <summary>Gets the 1-based line of a syntax error, or 0 when the error has no position.</summary>
    public int Line { get; }

    /// <summary>Gets the 1-based column of a syntax error, or 0 when the error has no position.</summary>
    public int Column { get; }
}
