using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Chains.Indexes.Indexing;

/// <summary>
/// An <see cref="IRecordManager"/> kept in a JSON-lines file that survives crashes: every write appends whole lines and
/// flushes them to disk before it returns, each write ends with a commit line so a batch torn by a crash is dropped
/// whole when the file is next read, and the log is compacted by writing a snapshot to a temporary file and renaming it
/// over the log (an atomic replace).
/// </summary>
/// <remarks>
/// <para>The file is read once, on first use, and then served from memory. Each line is either
/// <c>{"op":"put","source":...,"hash":...,"chunks":[...],"at":...}</c>, <c>{"op":"del","source":...}</c> or
/// <c>{"op":"commit"}</c>, which ends a write; the last committed line for a source wins.</para>
/// <para>One instance at a time may use a file (in any process); an instance is thread-safe.</para>
/// </remarks>
public sealed class FileRecordManager : IRecordManager, IDisposable
{
    private const int MinEntriesBeforeCompaction = 1024;
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true };

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<string, IndexRecord>? _records;
    private long _logEntries;

    /// <summary>Initializes a record manager over a file; the file and its folder are created on the first write.</summary>
    /// <param name="path">The path of the JSON-lines file.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public FileRecordManager(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FilePath = Path.GetFullPath(path);
    }

    /// <summary>Gets the full path of the file.</summary>
    public string FilePath { get; }

    private string TempPath => FilePath + ".tmp";

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">A line other than the last is not a valid record (the message names it).</exception>
    public async Task<IReadOnlyList<IndexRecord>> GetAsync(IReadOnlyList<string> sourceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourceIds);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var records = await LoadAsync(cancellationToken);
            var found = new List<IndexRecord>(sourceIds.Count);
            foreach (var id in sourceIds)
            {
                if (id is not null && records.TryGetValue(id, out var record))
                {
                    found.Add(record);
                }
            }

            return found;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">A line other than the last is not a valid record.</exception>
    public async IAsyncEnumerable<IndexRecord> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IndexRecord[] snapshot;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            snapshot = [.. (await LoadAsync(cancellationToken)).Values];
        }
        finally
        {
            _gate.Release();
        }

        foreach (var record in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A record is <see langword="null"/> (nothing is written).</exception>
    /// <exception cref="IOException">The file could not be written; the write takes effect only if its commit line reached the disk.</exception>
    public Task UpsertAsync(IReadOnlyList<IndexRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Any(r => r is null))
        {
            throw new ArgumentException("The records list holds a null entry.", nameof(records));
        }

        return WriteAsync(records, null, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The file could not be written.</exception>
    public Task DeleteAsync(IReadOnlyList<string> sourceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourceIds);
        return WriteAsync(null, [.. sourceIds.Where(id => id is not null)], cancellationToken);
    }

    /// <summary>Releases the lock that serializes access to the file.</summary>
    public void Dispose() => _gate.Dispose();

    private async Task WriteAsync(IReadOnlyList<IndexRecord>? upserts, IReadOnlyList<string>? deletes, CancellationToken cancellationToken)
    {
        if ((upserts?.Count ?? 0) + (deletes?.Count ?? 0) == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var records = await LoadAsync(cancellationToken);
            var buffer = new ArrayBufferWriter<byte>(4096);
            foreach (var record in upserts ?? [])
            {
                WritePut(buffer, record);
            }

            foreach (var id in deletes ?? [])
            {
                WriteDelete(buffer, id);
            }

            WriteCommit(buffer);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
                await using (var file = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read, 1, FileOptions.Asynchronous))
                {
                    // Not cancellable past this point: a half-written batch lacks its commit line and is dropped on the next read.
                    await file.WriteAsync(buffer.WrittenMemory, CancellationToken.None);
                    file.Flush(flushToDisk: true);
                }
            }
            catch
            {
                // The file may end in a torn line; reading it again drops that line and re-syncs memory with disk.
                _records = null;
                throw;
            }

            foreach (var record in upserts ?? [])
            {
                records[record.SourceId] = record;
            }

            foreach (var id in deletes ?? [])
            {
                records.Remove(id);
            }

            _logEntries += (upserts?.Count ?? 0) + (deletes?.Count ?? 0);
            if (_logEntries > Math.Max(MinEntriesBeforeCompaction, 2L * records.Count))
            {
                await CompactAsync(records);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CompactAsync(Dictionary<string, IndexRecord> records)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(4096, records.Count * 128));
        foreach (var record in records.Values)
        {
            WritePut(buffer, record);
        }

        WriteCommit(buffer);
        await using (var file = new FileStream(TempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            await file.WriteAsync(buffer.WrittenMemory, CancellationToken.None);
            file.Flush(flushToDisk: true);
        }

        // rename(2) replaces the log atomically: a crash leaves either the old log or the snapshot, never a mix.
        File.Move(TempPath, FilePath, overwrite: true);
        _logEntries = records.Count;
    }

    private async ValueTask<Dictionary<string, IndexRecord>> LoadAsync(CancellationToken cancellationToken)
    {
        if (_records is { } loaded)
        {
            return loaded;
        }

        // A temporary file is a snapshot whose rename never happened; the log itself is intact.
        if (File.Exists(TempPath))
        {
            File.Delete(TempPath);
        }

        var records = new Dictionary<string, IndexRecord>(StringComparer.Ordinal);
        long entries = 0;
        if (File.Exists(FilePath))
        {
            var bytes = await File.ReadAllBytesAsync(FilePath, cancellationToken);
            var batch = new List<LogEntry>();
            var lineNumber = 0;
            var position = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
            var validLength = position;
            while (position < bytes.Length)
            {
                var newline = bytes.AsSpan(position).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    // A line without its newline was torn by a crash while it was appended.
                    break;
                }

                lineNumber++;
                var next = position + newline + 1;
                if (!TryParse(bytes.AsMemory(position, newline), out var entry))
                {
                    // A crash can leave the last line torn; anything else is corruption.
                    if (next < bytes.Length)
                    {
                        throw new InvalidDataException($"Line {lineNumber} of '{FilePath}' is not a valid index record.");
                    }

                    break;
                }

                position = next;
                if (!entry.IsCommit)
                {
                    batch.Add(entry);
                    continue;
                }

                foreach (var e in batch)
                {
                    if (e.Record is { } record)
                    {
                        records[record.SourceId] = record;
                    }
                    else
                    {
                        records.Remove(e.SourceId!);
                    }
                }

                entries += batch.Count;
                batch.Clear();
                validLength = next;
            }

            if (validLength < bytes.Length)
            {
                // Drop the uncommitted tail so the next batch starts on a line of its own.
                using var file = new FileStream(FilePath, FileMode.Open, FileAccess.Write, FileShare.Read);
                file.SetLength(validLength);
                file.Flush(flushToDisk: true);
            }
        }

        _logEntries = entries;
        _records = records;
        return records;
    }

    private static bool TryParse(ReadOnlyMemory<byte> line, out LogEntry entry)
    {
        entry = default;
        if (line.Span.Trim((byte)'\r').IsEmpty)
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var op = root.GetProperty("op").GetString();
            if (op == "commit")
            {
                entry = new LogEntry(null, null, IsCommit: true);
                return true;
            }

            var source = root.GetProperty("source").GetString();
            if (string.IsNullOrEmpty(source))
            {
                return false;
            }

            switch (op)
            {
                case "put":
                    var hash = root.GetProperty("hash").GetString();
                    var chunks = root.GetProperty("chunks").EnumerateArray().Select(c => c.GetString() ?? throw new FormatException()).ToArray();
                    entry = new LogEntry(source, new IndexRecord(source, hash, chunks, root.GetProperty("at").GetDateTimeOffset()), IsCommit: false);
                    return true;
                case "del":
                    entry = new LogEntry(source, null, IsCommit: false);
                    return true;
                default:
                    return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    private static void WritePut(ArrayBufferWriter<byte> buffer, IndexRecord record)
    {
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("op", "put");
            writer.WriteString("source", record.SourceId);
            writer.WriteString("hash", record.ContentHash);
            writer.WriteStartArray("chunks");
            foreach (var id in record.ChunkIds)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            writer.WriteString("at", record.IndexedAt);
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
    }

    private static void WriteDelete(ArrayBufferWriter<byte> buffer, string sourceId)
    {
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("op", "del");
            writer.WriteString("source", sourceId);
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
    }

    private static void WriteCommit(ArrayBufferWriter<byte> buffer) => buffer.Write("{\"op\":\"commit\"}\n"u8);

    private readonly record struct LogEntry(string? SourceId, IndexRecord? Record, bool IsCommit);
}
