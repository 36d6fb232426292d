using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chains.Memory;

/// <summary>
/// A chat history store on the local file system: one JSON-lines file per session (<c>&lt;session&gt;.jsonl</c>) in one
/// directory, each line one append (a JSON array of messages serialised with <see cref="AIJsonUtilities.DefaultOptions"/>).
/// </summary>
/// <remarks>
/// <para><b>Crash safety.</b> An append is one write of one whole line, flushed to disk before the call returns. A crash
/// in the middle of a write leaves a last line without its line feed; loading ignores that torn line (the append never
/// happened) and the next append cuts it off before writing. A damaged line anywhere else is not a crash artefact and
/// makes loading fail with <see cref="InvalidDataException"/>.</para>
/// <para><b>Concurrency.</b> Appends to one session are serialised within the process by striped semaphores and across
/// processes by an exclusive lock on <c>&lt;session&gt;.lock</c> beside the data file (<see cref="FileShare.None"/>:
/// a share-mode lock on Windows, <c>flock</c> on Unix, which .NET processes honour; the lock files stay in place).
/// Readers take no lock: they see every completed append, and an append still being written reads as a torn line.</para>
/// <para><b>Session ids</b> become file names: ids with a path separator, <c>..</c> or control characters, or longer than
/// 128 characters, are rejected; other characters outside <c>[a-z0-9._-]</c> (capitals included, for case-insensitive
/// file systems) are written as <c>%XX</c> UTF-8 escapes, so <c>"user:42"</c> is stored in <c>user%3A42.jsonl</c>.</para>
/// </remarks>
public sealed class FileChatHistoryStore : IChatHistoryStore
{
    private const int MaxSessionIdLength = 128;
    private static readonly string[] ReservedNames = ["con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9"];

    private readonly SemaphoreSlim[] _stripes;
    private readonly ILogger _logger;

    /// <summary>Initializes a store that keeps its files in <paramref name="directory"/>, creating it when missing.</summary>
    /// <param name="directory">The directory of the session files.</param>
    /// <param name="logger">Receives a warning for each torn line found; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty or whitespace.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is <see langword="null"/>.</exception>
    /// <exception cref="IOException">The directory cannot be created.</exception>
    public FileChatHistoryStore(string directory, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = System.IO.Directory.CreateDirectory(directory).FullName;
        _logger = logger ?? NullLogger.Instance;
        _stripes = new SemaphoreSlim[32];
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>Gets the full path of the directory holding the session files.</summary>
    public string Directory { get; }

    /// <summary>Gets the path of the file that holds a session's messages.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>The full path of <c>&lt;escaped session id&gt;.jsonl</c> in <see cref="Directory"/>.</returns>
    /// <exception cref="ArgumentException">The session id is empty, too long, or holds a path separator, <c>..</c> or a control character.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="sessionId"/> is <see langword="null"/>.</exception>
    public string GetPath(string sessionId) => Path.Combine(Directory, ToFileName(sessionId) + ".jsonl");

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChatMessage>> LoadAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var path = GetPath(sessionId);
        byte[] data;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            data = new byte[stream.Length];
            var read = 0;
            while (read < data.Length)
            {
                var n = await stream.ReadAsync(data.AsMemory(read), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            // Only bytes present when the file was opened count; a concurrent append reads as a torn line.
            data = read == data.Length ? data : data[..read];
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }

        return Parse(data, path);
    }

    /// <inheritdoc />
    public async Task AppendAsync(string sessionId, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        var path = GetPath(sessionId);
        var batch = ChatHistoryArguments.ToBatch(messages);
        cancellationToken.ThrowIfCancellationRequested();
        if (batch.Length == 0)
        {
            return;
        }

        var line = ChatJson.ToLine(batch);
        await WithSessionLockAsync(sessionId, path, () =>
        {
            using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            CutTornTail(stream);
            stream.Seek(0, SeekOrigin.End);
            stream.Write(line);
            stream.Flush(flushToDisk: true);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task ClearAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var path = GetPath(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        await WithSessionLockAsync(sessionId, path, () => File.Delete(path), cancellationToken);
    }

    /// <summary>Turns a session id into a file name (without extension).</summary>
    internal static string ToFileName(string sessionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        if (sessionId.Length > MaxSessionIdLength)
        {
            throw new ArgumentException($"The session id is {sessionId.Length} characters long; at most {MaxSessionIdLength} are allowed.", nameof(sessionId));
        }

        if (sessionId.Contains("..", StringComparison.Ordinal) || sessionId.AsSpan().IndexOfAny('/', '\\') >= 0)
        {
            throw new ArgumentException($"The session id '{sessionId}' contains a path separator or '..'.", nameof(sessionId));
        }

        foreach (var c in sessionId)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException("The session id contains a control character.", nameof(sessionId));
            }
        }

        var builder = new StringBuilder(sessionId.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < sessionId.Length; i++)
        {
            var c = sessionId[i];
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' && !(c == '.' && i == 0))
            {
                builder.Append(c);
                continue;
            }

            var length = char.IsHighSurrogate(c) && i + 1 < sessionId.Length
                ? Encoding.UTF8.GetBytes(sessionId.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(sessionId.AsSpan(i, 1), utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var name = builder.ToString();
        var stem = name.Split('.')[0];
        return Array.IndexOf(ReservedNames, stem) >= 0 ? $"%{(int)name[0]:X2}{name[1..]}" : name;
    }

    private List<ChatMessage> Parse(byte[] data, string path)
    {
        var messages = new List<ChatMessage>();
        var span = data.AsSpan();
        var lineNumber = 0;
        while (!span.IsEmpty)
        {
            lineNumber++;
            var end = span.IndexOf((byte)'\n');
            if (end < 0)
            {
                // A crash (or a concurrent writer) left the last line without its line feed: that append never completed.
                MemoryLog.TornLineIgnored(_logger, path, lineNumber, span.Length);
                break;
            }

            var line = span[..end];
            span = span[(end + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }

            try
            {
                ChatJson.ReadLine(line, messages);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"Line {lineNumber} of the chat history file '{path}' is not a valid append: {ex.Message}", ex);
            }
        }

        return messages;
    }

    private static void CutTornTail(FileStream stream)
    {
        var length = stream.Length;
        if (length == 0)
        {
            return;
        }

        Span<byte> one = stackalloc byte[1];
        stream.Seek(length - 1, SeekOrigin.Begin);
        if (stream.Read(one) == 1 && one[0] == (byte)'\n')
        {
            return;
        }

        // Find the end of the last complete line and drop what follows it.
        var buffer = new byte[4096];
        var position = length;
        while (position > 0)
        {
            var size = (int)Math.Min(buffer.Length, position);
            position -= size;
            stream.Seek(position, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, size);
            var index = buffer.AsSpan(0, size).LastIndexOf((byte)'\n');
            if (index >= 0)
            {
                stream.SetLength(position + index + 1);
                return;
            }
        }

        stream.SetLength(0);
    }

    private async Task WithSessionLockAsync(string sessionId, string path, Action action, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(StringComparer.Ordinal.GetHashCode(sessionId) & int.MaxValue) % _stripes.Length];
        await stripe.WaitAsync(cancellationToken);
        try
        {
            using var fileLock = await AcquireFileLockAsync(Path.ChangeExtension(path, ".lock"), cancellationToken);

            // Past this point the write runs to completion: stopping half way would tear the line.
            cancellationToken.ThrowIfCancellationRequested();
            action();
        }
        finally
        {
            stripe.Release();
        }
    }

    private static async Task<FileStream> AcquireFileLockAsync(string lockPath, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
            {
                // Another process holds the session: wait and retry until it lets go or the caller gives up.
                await Task.Delay(delay, TimeProvider.System, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(50).Ticks));
            }
        }
    }
}
