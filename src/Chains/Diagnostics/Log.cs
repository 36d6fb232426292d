using Microsoft.Extensions.Logging;

namespace Chains;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Step {StepKind} '{Name}' started (run {RunId}, parent {ParentRunId}).")]
    public static partial void StepStarted(ILogger logger, string stepKind, string name, Guid runId, Guid? parentRunId);

    [LoggerMessage(2, LogLevel.Debug, "Step {StepKind} '{Name}' completed in {DurationMs:F2} ms (run {RunId}).")]
    public static partial void StepCompleted(ILogger logger, string stepKind, string name, double durationMs, Guid runId);

    [LoggerMessage(3, LogLevel.Warning, "Step {StepKind} '{Name}' failed after {DurationMs:F2} ms (run {RunId}).")]
    public static partial void StepFailed(ILogger logger, Exception exception, string stepKind, string name, double durationMs, Guid runId);

    [LoggerMessage(4, LogLevel.Trace, "Step '{Name}' input: {Input}")]
    public static partial void StepInput(ILogger logger, string name, string? input);

    [LoggerMessage(5, LogLevel.Trace, "Step '{Name}' output: {Output}")]
    public static partial void StepOutput(ILogger logger, string name, string? output);

    [LoggerMessage(6, LogLevel.Information, "Step '{Name}' attempt {Attempt} failed; retrying in {DelayMs:F0} ms.")]
    public static partial void Retrying(ILogger logger, Exception exception, string name, int attempt, double delayMs);

    [LoggerMessage(7, LogLevel.Debug, "Step {StepKind} '{Name}' was cancelled after {DurationMs:F2} ms (run {RunId}).")]
    public static partial void StepCancelled(ILogger logger, string stepKind, string name, double durationMs, Guid runId);
}
