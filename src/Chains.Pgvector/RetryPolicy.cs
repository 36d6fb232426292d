using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Chains.Pgvector;

/// <summary>Runs an operation, retrying it with exponential backoff while it fails transiently.</summary>
internal sealed partial class RetryPolicy
{
    private readonly PgvectorRetryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Initializes the policy.</summary>
    /// <param name="options">The retry options.</param>
    /// <param name="time">The clock for delays.</param>
    /// <param name="logger">The logger for retries.</param>
    public RetryPolicy(PgvectorRetryOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Runs <paramref name="operation"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="name">What the operation does, for messages ("search", "upsert 10 records").</param>
    /// <param name="operation">The operation; each attempt must be complete in itself (its own connection and transaction).</param>
    /// <param name="cancellationToken">A token that stops retrying.</param>
    /// <returns>The operation's result.</returns>
    /// <exception cref="PgvectorUnavailableException">Every attempt failed transiently.</exception>
    public async Task<T> ExecuteAsync<T>(string name, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (attempt > _options.MaxRetries)
                {
                    throw new PgvectorUnavailableException(name, attempt, _time.GetElapsedTime(started), ex);
                }

                var delay = Delay(attempt);
                LogRetry(_logger, name, attempt, delay.TotalMilliseconds, ex.Message);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Gets whether an exception is worth retrying: a lost or refused connection, a server shutting down or
    /// starting, a serialization failure or deadlock, or resource exhaustion.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns><see langword="true"/> when a later attempt may succeed.</returns>
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("08", StringComparison.Ordinal) ||
                                 pg.SqlState.StartsWith("53", StringComparison.Ordinal) ||
                                 pg.SqlState is "57P01" or "57P02" or "57P03" or "40001" or "40P01",
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or SocketException or TimeoutException,
        IOException or SocketException => true,
        _ => false,
    };

    private TimeSpan Delay(int attempt)
    {
        var baseMs = _options.InitialDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        var jittered = baseMs * (0.75 + (Random.Shared.NextDouble() * 0.5));
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(Math.Min(jittered, _options.MaxDelay.TotalMilliseconds));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "pgvector {Operation} failed transiently on attempt {Attempt}; retrying in {DelayMs:0} ms: {Error}")]
    private static partial void LogRetry(ILogger logger, string operation, int attempt, double delayMs, string error);
}
