using Microsoft.Extensions.Logging;

namespace Chains.Memory;

internal static partial class MemoryLog
{
    [LoggerMessage(101, LogLevel.Warning, "Ignored a torn last line ({Bytes} bytes, line {LineNumber}) in chat history file '{Path}': an append did not complete (a crash) or is still being written.")]
    public static partial void TornLineIgnored(ILogger logger, string path, int lineNumber, int bytes);
}
