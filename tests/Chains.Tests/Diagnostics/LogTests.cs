using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Chains.Tests.Diagnostics;

public sealed class LogTests
{
    private const string PromptText = "secret-prompt-text";
    private const string CompletionText = "secret-completion-text";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_LoggerFactory_LogsDebugStartAndCompletePerStep()
    {
        var collector = new FakeLogCollector();
        using var factory = CreateFactory(collector, LogLevel.Debug);
        var chain = Runnable.Lambda((int x) => x + 1, "first").Pipe(Runnable.Lambda((int x) => x * 2, "second"));

        await chain.InvokeAsync(1, new RunOptions { LoggerFactory = factory }, Ct);

        var records = collector.GetSnapshot();
        Assert.All(records, r => Assert.Equal(LogLevel.Debug, r.Level));
        Assert.All(records, r => Assert.Equal("Chains.Run", r.Category));
        Assert.Equal(
            ["started Sequence", "started first", "completed first", "started second", "completed second", "completed Sequence"],
            records.Select(r => $"{(r.Id.Id == 1 ? "started" : "completed")} {r.StructuredState!.Single(kv => kv.Key == "Name").Value}"));
        Assert.Contains("Step lambda 'first' started", records[1].Message, StringComparison.Ordinal);
        Assert.Contains("Step lambda 'first' completed in", records[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_DebugLevel_NoPromptOrCompletionText()
    {
        var collector = new FakeLogCollector();
        using var factory = CreateFactory(collector, LogLevel.Debug);

        await FakeChatClient.Replying(CompletionText).AsRunnable().InvokeAsync(PromptText, new RunOptions { LoggerFactory = factory }, Ct);

        var records = collector.GetSnapshot();
        Assert.Equal(2, records.Count);
        Assert.DoesNotContain(records, r => r.Message.Contains(PromptText, StringComparison.Ordinal) || r.Message.Contains(CompletionText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvokeAsync_TraceLevel_PromptAndCompletionTextOnlyInTraceRecords()
    {
        var collector = new FakeLogCollector();
        using var factory = CreateFactory(collector, LogLevel.Trace);

        await FakeChatClient.Replying(CompletionText).AsRunnable().InvokeAsync(PromptText, new RunOptions { LoggerFactory = factory }, Ct);

        var records = collector.GetSnapshot();
        var withText = records.Where(r => r.Message.Contains(PromptText, StringComparison.Ordinal) || r.Message.Contains(CompletionText, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, withText.Count);
        Assert.All(withText, r => Assert.Equal(LogLevel.Trace, r.Level));
        Assert.Contains(withText, r => r.Message.Contains(PromptText, StringComparison.Ordinal));
        Assert.Contains(withText, r => r.Message.Contains(CompletionText, StringComparison.Ordinal));
        Assert.Equal(2, records.Count(r => r.Level == LogLevel.Debug));
    }

    [Fact]
    public async Task InvokeAsync_StepFails_LogsWarningWithException()
    {
        var collector = new FakeLogCollector();
        using var factory = CreateFactory(collector, LogLevel.Debug);
        var error = new FormatException("bad");

        await Assert.ThrowsAsync<FormatException>(async () => await Runnable.Lambda<int, int>(_ => throw error, "broken").InvokeAsync(1, new RunOptions { LoggerFactory = factory }, Ct));

        var warning = collector.GetSnapshot().Single(r => r.Level == LogLevel.Warning);
        Assert.Same(error, warning.Exception);
        Assert.Contains("'broken' failed", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_Cancelled_LogsDebugCancellationNotWarning()
    {
        var collector = new FakeLogCollector();
        using var factory = CreateFactory(collector, LogLevel.Debug);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var step = Runnable.Lambda<int, int>(
            async (x, ct) =>
            {
                await cts.CancelAsync();
                ct.ThrowIfCancellationRequested();
                return x;
            },
            "cancellable");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await step.InvokeAsync(1, new RunOptions { LoggerFactory = factory }, cts.Token));

        var records = collector.GetSnapshot();
        Assert.DoesNotContain(records, r => r.Level >= LogLevel.Warning);
        Assert.Contains(records, r => r.Level == LogLevel.Debug && r.Message.Contains("'cancellable' was cancelled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvokeAsync_Retry_LogsEachRetryAtInformation()
    {
        var collector = new FakeLogCollector();
        using var factory = CreateFactory(collector, LogLevel.Information);
        var attempts = 0;
        var step = Runnable.Lambda((int x) => ++attempts < 3 ? throw new InvalidOperationException("flaky") : x, "flaky-step")
            .WithRetry(new RetryOptions { InitialDelay = TimeSpan.Zero });

        await step.InvokeAsync(1, new RunOptions { LoggerFactory = factory }, Ct);

        var retries = collector.GetSnapshot().Where(r => r.Level == LogLevel.Information).ToList();
        Assert.Equal(2, retries.Count);
        Assert.All(retries, r => Assert.Contains("'flaky-step' attempt", r.Message, StringComparison.Ordinal));
        Assert.All(retries, r => Assert.IsType<InvalidOperationException>(r.Exception));
    }

    private static ILoggerFactory CreateFactory(FakeLogCollector collector, LogLevel minimum)
        => LoggerFactory.Create(builder => builder.SetMinimumLevel(minimum).AddProvider(new FakeLoggerProvider(collector)));
}
