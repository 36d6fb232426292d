using Microsoft.Extensions.Logging;

namespace Chains.Agents;

/// <summary>Log messages of agent runs and graphs (event ids 100-149). Arguments and results are logged at Trace only.</summary>
internal static partial class AgentLog
{
    public const string CategoryName = "Chains.Agents";

    [LoggerMessage(100, LogLevel.Information, "Agent run stopped: {StopReason} after {Iterations} model call(s), {TotalTokens} token(s).")]
    public static partial void RunStopped(ILogger logger, AgentStopReason stopReason, int iterations, long totalTokens);

    [LoggerMessage(101, LogLevel.Warning, "Tool '{ToolName}' failed (call {CallId}); the error goes back to the model.")]
    public static partial void ToolFailed(ILogger logger, Exception exception, string toolName, string callId);

    [LoggerMessage(102, LogLevel.Information, "Tool call '{ToolName}' ({CallId}) rejected: {Status}.")]
    public static partial void ToolCallRejected(ILogger logger, string toolName, string callId, AgentToolCallStatus status);

    [LoggerMessage(103, LogLevel.Debug, "Approval for tool '{ToolName}' (call {CallId}): {Decision}.")]
    public static partial void ApprovalDecided(ILogger logger, string toolName, string callId, ToolApprovalKind decision);

    [LoggerMessage(104, LogLevel.Trace, "Tool '{ToolName}' (call {CallId}) arguments: {Arguments}")]
    public static partial void ToolArguments(ILogger logger, string toolName, string callId, string arguments);

    [LoggerMessage(110, LogLevel.Debug, "Graph '{Thread}' step {Step} ran {Nodes}.")]
    public static partial void GraphStep(ILogger logger, string thread, long step, string nodes);

    [LoggerMessage(111, LogLevel.Information, "Graph '{Thread}' paused {Where} at step {Step}.")]
    public static partial void GraphInterrupted(ILogger logger, string thread, string where, long step);
}
