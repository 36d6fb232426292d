namespace Chains.Pgvector;

/// <summary>Operations with spans and metrics (see <see cref="PgvectorTelemetry"/>).</summary>
public sealed partial class PgvectorStore
{
    private PgvectorDbTarget? _dbTarget;
    private PgvectorDbTarget? _recordsDbTarget;

    /// <summary>Gets the store table as spans name it (built on first use, while someone listens).</summary>
    internal PgvectorDbTarget DbTarget => _dbTarget ??= new PgvectorDbTarget(_table.DisplayName, _dataSource, isVectorTable: true);

    /// <summary>Gets the record table as spans name it.</summary>
    internal PgvectorDbTarget RecordsDbTarget => _recordsDbTarget ??= new PgvectorDbTarget(Options.Schema + "." + Options.Table + "_records", _dataSource);

    /// <summary>Runs an operation on the store table like <see cref="RunAsync{T}(string, Func{CancellationToken, Task{T}}, CancellationToken)"/>,
    /// inside its span while someone listens.</summary>
    /// <param name="dbOperation">The <c>db.operation.name</c>, one of the constants of <see cref="PgvectorTelemetry"/>.</param>
    /// <param name="name">What the operation does, for retry messages.</param>
    /// <param name="operation">The operation; an <see cref="int"/> or collection result counts the rows.</param>
    /// <param name="cancellationToken">A token that stops retrying.</param>
    internal Task<T> RunAsync<T>(string dbOperation, string name, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
        => PgvectorTelemetry.IsEnabled
            ? PgvectorTelemetry.TraceAsync(DbTarget, dbOperation, countRows: true, ct => RunAsync(name, operation, ct), cancellationToken)
            : RunAsync(name, operation, cancellationToken);

    /// <summary>Runs an operation on the record table, inside its span while someone listens.</summary>
    /// <param name="dbOperation">The <c>db.operation.name</c>.</param>
    /// <param name="name">What the operation does, for retry messages.</param>
    /// <param name="operation">The operation; an <see cref="int"/> or collection result counts the rows.</param>
    /// <param name="cancellationToken">A token that stops retrying.</param>
    internal Task<T> RunOnRecordsAsync<T>(string dbOperation, string name, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
        => PgvectorTelemetry.IsEnabled
            ? PgvectorTelemetry.TraceAsync(RecordsDbTarget, dbOperation, countRows: true, ct => RunAsync(name, operation, ct), cancellationToken)
            : RunAsync(name, operation, cancellationToken);
}
