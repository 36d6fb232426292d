using System.Collections;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Npgsql;

namespace Chains.Pgvector;

/// <summary>
/// The names under which the PostgreSQL stores report traces and metrics, following the OpenTelemetry database
/// semantic conventions. Subscribe with OpenTelemetry's <c>AddSource(PgvectorTelemetry.SourceName)</c> and
/// <c>AddMeter(PgvectorTelemetry.MeterName)</c>, or any <see cref="ActivityListener"/> / <see cref="MeterListener"/>.
/// Nothing is recorded while nobody listens.
/// </summary>
/// <remarks>
/// <para>Each operation of <see cref="PgvectorStore"/>, its record manager, <see cref="PgvectorChatHistoryStore"/> and
/// <see cref="PgvectorCheckpointStore"/> is a client span <c>{db.operation.name} {db.collection.name}</c>, for example
/// <c>SEARCH public.chains_documents</c>, covering its retries and, on first use, the schema check. Tags:
/// <c>db.system.name</c> <c>postgresql</c>, <c>db.operation.name</c> (<c>UPSERT</c>, <c>COPY</c>, <c>COMMIT</c>,
/// <c>DELETE</c>, <c>SEARCH</c>, <c>HYBRID_SEARCH</c>, <c>COUNT</c>, <c>SELECT</c>, <c>INSERT</c>),
/// <c>db.collection.name</c> (<c>schema.table</c>), <c>db.namespace</c> (the database), <c>server.address</c>,
/// <c>server.port</c>, <c>chains.pgvector.rows</c> (rows written, deleted or returned) and, on failure,
/// <c>error.type</c> and <c>db.response.status_code</c> (the SQLSTATE). A bulk load is one span per batch, never one
/// per row.</para>
/// <para>No SQL parameter value is ever recorded: no document text, metadata, session id, query text or query vector.
/// Npgsql's own spans (source <c>Npgsql</c>) nest under these when enabled.</para>
/// </remarks>
public static class PgvectorTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> of the <c>Chains.Pgvector</c> package.</summary>
    public const string SourceName = "Chains.Pgvector";

    /// <summary>The name of the <see cref="Meter"/> of the <c>Chains.Pgvector</c> package.</summary>
    public const string MeterName = SourceName;

    /// <summary>The histogram of operation durations in seconds (retries included), tagged with the system,
    /// operation, table, database, server and, on failure, <c>error.type</c>.</summary>
    public const string OperationDurationInstrument = "db.client.operation.duration";

    /// <summary>The counter of vector-store rows written (<c>{row}</c>) by upserts, bulk-load batches and indexing
    /// commits, tagged with the operation and table.</summary>
    public const string RowsWrittenInstrument = "chains.pgvector.rows_written";

    /// <summary>The span tag counting the rows of a COPY that went straight into the table (new ids), not through the
    /// staging upsert.</summary>
    internal const string DirectRowsTag = "chains.pgvector.rows_copied_directly";

    /// <summary>The span tag set when a concurrent insert of the same ids sent a direct COPY back to the staging upsert.</summary>
    internal const string CopyConflictTag = "chains.pgvector.copy_conflict";

    internal const string Upsert = "UPSERT";
    internal const string Copy = "COPY";
    internal const string Commit = "COMMIT";
    internal const string Delete = "DELETE";
    internal const string Search = "SEARCH";
    internal const string HybridSearch = "HYBRID_SEARCH";
    internal const string Count = "COUNT";
    internal const string Select = "SELECT";
    internal const string Insert = "INSERT";

    private static readonly string Version =
        typeof(PgvectorTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    internal static readonly ActivitySource Source = new(SourceName, Version);

    internal static readonly Meter Meter = new(MeterName, Version);

    internal static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        OperationDurationInstrument,
        unit: "s",
        description: "Duration of Chains.Pgvector database operations.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] });

    internal static readonly Counter<long> RowsWritten = Meter.CreateCounter<long>(
        RowsWrittenInstrument,
        unit: "{row}",
        description: "Rows written to pgvector store tables.");

    /// <summary>Gets whether anyone listens.</summary>
    internal static bool IsEnabled => Source.HasListeners() || OperationDuration.Enabled || RowsWritten.Enabled;

    /// <summary>Runs <paramref name="run"/> inside the span of <paramref name="operation"/> on <paramref name="target"/>
    /// and records its duration; call only when <see cref="IsEnabled"/>.</summary>
    /// <param name="target">The table and server.</param>
    /// <param name="operation">The <c>db.operation.name</c>.</param>
    /// <param name="countRows">Whether the result (an <see cref="int"/> or a collection) is the number of rows the
    /// operation wrote, deleted or returned.</param>
    /// <param name="run">The operation, retries included.</param>
    /// <param name="cancellationToken">The operation's token.</param>
    internal static async Task<T> TraceAsync<T>(PgvectorDbTarget target, string operation, bool countRows, Func<CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = Source.StartActivity(operation + " " + target.Collection, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "postgresql");
            activity.SetTag("db.operation.name", operation);
            activity.SetTag("db.collection.name", target.Collection);
            activity.SetTag("db.namespace", target.Namespace);
            activity.SetTag("server.address", target.ServerAddress);
            activity.SetTag("server.port", target.ServerPort);
        }

        T result;
        try
        {
            result = await run(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var status = (ex as PostgresException ?? ex.InnerException as PostgresException)?.SqlState;
            var errorType = status ?? ex.GetType().FullName;
            if (activity is not null)
            {
                activity.SetTag("error.type", errorType);
                activity.SetTag("db.response.status_code", status);
                activity.SetStatus(ActivityStatusCode.Error, ex is OperationCanceledException ? "cancelled" : ex.GetType().Name);
            }

            Record(target, operation, started, errorType);
            throw;
        }

        var rows = countRows ? RowsOf(result) : null;
        if (rows is { } n)
        {
            activity?.SetTag("chains.pgvector.rows", n);
            if (target.IsVectorTable && RowsWritten.Enabled && operation is Upsert or Copy or Commit)
            {
                RowsWritten.Add(n, new TagList
                {
                    { "db.system.name", "postgresql" },
                    { "db.operation.name", operation },
                    { "db.collection.name", target.Collection },
                });
            }
        }

        Record(target, operation, started, null);
        return result;
    }

    private static void Record(PgvectorDbTarget target, string operation, long started, string? errorType)
    {
        if (!OperationDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "db.system.name", "postgresql" },
            { "db.operation.name", operation },
            { "db.collection.name", target.Collection },
            { "db.namespace", target.Namespace },
            { "server.address", target.ServerAddress },
            { "server.port", target.ServerPort },
        };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        OperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    private static long? RowsOf<T>(T result) => result switch
    {
        int n => n,
        ICollection items => items.Count,
        _ => null,
    };
}

/// <summary>What the spans and metrics of one table say about where it lives: the table, database and server, read
/// once from the data source's connection string (never its password).</summary>
internal sealed class PgvectorDbTarget
{
    public PgvectorDbTarget(string collection, NpgsqlDataSource dataSource, bool isVectorTable = false)
    {
        Collection = collection;
        IsVectorTable = isVectorTable;
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Namespace = string.IsNullOrEmpty(settings.Database) ? null : settings.Database;
        ServerAddress = string.IsNullOrEmpty(settings.Host) ? null : settings.Host;
        ServerPort = settings.Port;
    }

    /// <summary>Gets <c>schema.table</c>.</summary>
    public string Collection { get; }

    /// <summary>Gets whether the table is a vector store's, whose written rows <see cref="PgvectorTelemetry.RowsWritten"/> counts.</summary>
    public bool IsVectorTable { get; }

    /// <summary>Gets the database name, if the connection string names one.</summary>
    public string? Namespace { get; }

    /// <summary>Gets the host (or hosts), if the connection string names one.</summary>
    public string? ServerAddress { get; }

    /// <summary>Gets the port.</summary>
    public int ServerPort { get; }
}
