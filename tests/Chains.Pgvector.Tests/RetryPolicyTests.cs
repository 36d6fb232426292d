using System.Net.Sockets;
using Chains.Indexes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static Chains.Pgvector.Tests.TestData;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="RetryPolicy"/>: which failures are retried and how, and a store surviving a real server restart
/// (on a server of this class's own).</summary>
public sealed class RetryPolicyTests(PrivatePostgresServer server) : IClassFixture<PrivatePostgresServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("57P01", true)] // admin_shutdown: the server is restarting
    [InlineData("57P03", true)] // cannot_connect_now: starting up
    [InlineData("08006", true)] // connection_failure
    [InlineData("40001", true)] // serialization_failure
    [InlineData("40P01", true)] // deadlock_detected
    [InlineData("53300", true)] // too_many_connections
    [InlineData("42P01", false)] // undefined_table
    [InlineData("23505", false)] // unique_violation
    [InlineData("22P02", false)] // invalid_text_representation
    public void IsTransient_PostgresError_FollowsItsSqlState(string sqlState, bool transient)
        => Assert.Equal(transient, RetryPolicy.IsTransient(new PostgresException("m", "FATAL", "FATAL", sqlState)));

    [Fact]
    public void IsTransient_NetworkAndOtherErrors_RetriesOnlyNetwork()
    {
        Assert.True(RetryPolicy.IsTransient(new NpgsqlException("Exception while reading from stream", new IOException("reset"))));
        Assert.True(RetryPolicy.IsTransient(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.False(RetryPolicy.IsTransient(new InvalidOperationException("bug")));
        Assert.False(RetryPolicy.IsTransient(new ArgumentException("bad")));
    }

    [Fact]
    public async Task ExecuteAsync_TransientFailuresThenSuccess_WaitsWithGrowingBackoff()
    {
        var time = new FakeTimeProvider();
        var policy = new RetryPolicy(new PgvectorRetryOptions { MaxRetries = 3, InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(30) }, time, NullLogger.Instance);
        var attempts = 0;

        var task = policy.ExecuteAsync(
            "search",
            _ => ++attempts < 3 ? throw new NpgsqlException("lost", new IOException("reset")) : Task.FromResult(42),
            Ct);

        Assert.Equal(1, attempts);
        time.Advance(TimeSpan.FromMilliseconds(700)); // first delay is 1 s ± 25 %
        Assert.Equal(1, attempts);
        time.Advance(TimeSpan.FromMilliseconds(600));
        await WaitUntilAsync(() => attempts == 2);
        time.Advance(TimeSpan.FromMilliseconds(1400)); // second delay is 2 s ± 25 %
        Assert.Equal(2, attempts);
        time.Advance(TimeSpan.FromMilliseconds(1200));
        Assert.Equal(42, await task);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task ExecuteAsync_NonTransientError_ThrowsItAtOnce()
    {
        var policy = new RetryPolicy(new PgvectorRetryOptions { MaxRetries = 5 }, TimeProvider.System, NullLogger.Instance);
        var attempts = 0;

        var ex = await Assert.ThrowsAsync<PostgresException>(() => policy.ExecuteAsync<int>("search", _ => { attempts++; throw new PostgresException("no table", "ERROR", "ERROR", "42P01"); }, Ct));

        Assert.Equal("42P01", ex.SqlState);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task ExecuteAsync_TransientOnEveryAttempt_ThrowsUnavailableWithAttemptsAndLastError()
    {
        var policy = new RetryPolicy(new PgvectorRetryOptions { MaxRetries = 2, InitialDelay = TimeSpan.Zero }, TimeProvider.System, NullLogger.Instance);
        var attempts = 0;

        var ex = await Assert.ThrowsAsync<PgvectorUnavailableException>(() => policy.ExecuteAsync<int>("search", _ => throw new PostgresException($"shutdown {++attempts}", "FATAL", "FATAL", "57P01"), Ct));

        Assert.Equal(3, ex.Attempts);
        Assert.Equal(3, attempts);
        Assert.True(ex.IsTransient);
        Assert.Equal("57P01", Assert.IsType<PostgresException>(ex.InnerException).SqlState);
        Assert.Contains("could not search", ex.Message, StringComparison.Ordinal);
        Assert.Contains("shutdown 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_CancelledDuringBackoff_ThrowsOperationCanceled()
    {
        var policy = new RetryPolicy(new PgvectorRetryOptions { MaxRetries = 5, InitialDelay = TimeSpan.FromMinutes(1) }, TimeProvider.System, NullLogger.Instance);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => policy.ExecuteAsync<int>("search", _ => throw new NpgsqlException("lost", new IOException()), cts.Token));
    }

    [Fact]
    public async Task Store_ServerRestartWithRetriesOff_SurfacesUnavailableThenWorksAgain()
    {
        await using var dataSource = server.CreateDataSource();
        await using var store = dataSource.AsVectorStore(new PgvectorStoreOptions { Table = "norestart", Dimensions = 2, Retry = PgvectorRetryOptions.None });
        await store.UpsertAsync([Record("a", "before", [1, 0])], Ct);

        await server.RestartAsync();
        var ex = await Assert.ThrowsAsync<PgvectorUnavailableException>(() => store.SearchAsync(new float[] { 1, 0 }, null, Ct));
        var after = await store.SearchAsync(new float[] { 1, 0 }, null, Ct);

        Assert.Equal(1, ex.Attempts);
        Assert.Contains("PostgreSQL failed transiently", ex.Message, StringComparison.Ordinal);
        Assert.True(RetryPolicy.IsTransient(ex.InnerException!));
        Assert.Equal("before", Assert.Single(after).Document.Content);
    }

    [Fact]
    public async Task Store_ServerRestartBetweenOperations_RetriesTransparentlyAndLogsTheRetry()
    {
        using var logs = new FakeLoggerProvider();
        using var loggerFactory = new LoggerFactory([logs]);
        await using var dataSource = server.CreateDataSource();
        await using var store = dataSource.AsVectorStore(new PgvectorStoreOptions { Table = "restart", Dimensions = 2, LoggerFactory = loggerFactory });
        await store.UpsertAsync([Record("a", "before", [1, 0])], Ct);

        await server.RestartAsync();
        await store.UpsertAsync([Record("b", "after", [0, 1])], Ct);

        Assert.Equal(["b", "a"], Ids(await store.SearchAsync(new float[] { 0, 1 }, new VectorSearchOptions { Top = 5 }, Ct)));
        var retry = Assert.Single(logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains("upsert 1 record(s) failed transiently on attempt 1", retry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_ServerRestartDuringBulkLoad_RetriesTheBatchAndLoadsEverything()
    {
        await using var dataSource = server.CreateDataSource();
        await using var store = dataSource.AsVectorStore(new PgvectorStoreOptions
        {
            Table = "bulkrestart",
            Dimensions = 16,
            Index = PgvectorIndex.None,
            BulkBatchSize = 500,
            Retry = new PgvectorRetryOptions { MaxRetries = 10, InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(2) },
        });
        await store.EnsureSchemaAsync(Ct);
        var random = new Random(8);
        var records = Enumerable.Range(0, 20_000).Select(i => Record($"r{i}", $"row {i}", RandomVector(random, 16))).ToArray();
        var firstBatchWritten = new TaskCompletionSource();
        var load = store.BulkUpsertAsync(Paced(records, 1000, firstBatchWritten), Ct);

        await firstBatchWritten.Task.WaitAsync(TimeSpan.FromMinutes(1), Ct);
        await server.RestartAsync();
        var written = await load;

        Assert.True(load.IsCompletedSuccessfully);
        Assert.Equal(20_000, written);
        Assert.Equal(20_000L, await store.CountAsync(cancellationToken: Ct));
    }

    /// <summary>Streams records, signalling once <paramref name="signalAfter"/> have been handed out (two batches of 500,
    /// so at least one is committed) and slowing down afterwards so the restart lands mid-load.</summary>
    private static async IAsyncEnumerable<VectorRecord> Paced(VectorRecord[] records, int signalAfter, TaskCompletionSource signal)
    {
        for (var i = 0; i < records.Length; i++)
        {
            if (i == signalAfter)
            {
                signal.TrySetResult();
            }

            if (i >= signalAfter && i % 500 == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
            }

            yield return records[i];
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System, Ct);
        }

        Assert.True(condition());
    }
}
