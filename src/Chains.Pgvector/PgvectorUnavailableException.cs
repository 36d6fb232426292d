using System.Data.Common;

namespace Chains.Pgvector;

/// <summary>
/// Thrown when the pgvector store cannot complete an operation because PostgreSQL is unreachable or failed transiently
/// (a restart, a dropped connection, a deadlock) on every attempt its retry policy allowed. The operation was rolled
/// back; once the server is back, the same store works again and the operation can be repeated.
/// </summary>
public sealed class PgvectorUnavailableException : DbException
{
    /// <summary>Initializes the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PgvectorUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes the exception with a message and the last failure.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The last transient failure.</param>
    public PgvectorUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes the exception with a default message.</summary>
    public PgvectorUnavailableException()
        : base("PostgreSQL is unavailable.")
    {
    }

    internal PgvectorUnavailableException(string operation, int attempts, TimeSpan elapsed, Exception last)
        : base(
            $"The pgvector store could not {operation}: PostgreSQL failed transiently on all {attempts} attempt(s) over {elapsed.TotalSeconds:0.0} s " +
            $"(last error: {last.Message}). Nothing was committed by the failed attempt; retry once the server is reachable.",
            last)
        => Attempts = attempts;

    /// <summary>Gets how many attempts were made.</summary>
    public int Attempts { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
