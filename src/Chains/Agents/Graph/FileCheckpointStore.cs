using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Chains.Agents.Graph;

/// <summary>
/// Keeps checkpoints as JSON files in a directory, one folder per thread and one file per step, so a graph run survives
/// the death of its process. Each file is written to a temporary name, flushed to disk and then renamed into place, so a
/// crash leaves either the complete new checkpoint or none — never a torn one.
/// </summary>
/// <remarks>
/// <para>Meant for one process (or one process at a time) per directory; runs of different threads may write
/// concurrently. Thread ids are hashed into folder names, so any id is safe.</para>
/// <para>Layout: <c>{directory}/{sha256(threadId)[..32]}/{step:D19}.json</c>. Left-over <c>*.tmp</c> files of a crash
/// are ignored and removed on the next save.</para>
/// </remarks>
public sealed class FileCheckpointStore : ICheckpointStore
{
    private const string Extension = ".json";
    private const string TempExtension = ".tmp";
    private readonly string _directory;

    /// <summary>Initializes a new instance of the <see cref="FileCheckpointStore"/> class.</summary>
    /// <param name="directory">The directory; created when missing.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty or whitespace.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is <see langword="null"/>.</exception>
    public FileCheckpointStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    /// <summary>Gets the full path of the directory.</summary>
    public string DirectoryPath => _directory;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="checkpoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The thread already has a checkpoint of this or a later step.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public async ValueTask SaveAsync(GraphCheckpoint checkpoint, CheckpointRetention retention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentOutOfRangeException.ThrowIfNegative(checkpoint.Step);
        var folder = ThreadFolder(checkpoint.ThreadId);
        Directory.CreateDirectory(folder);
        var steps = Steps(folder);
        if (steps.Count > 0 && steps[^1] >= checkpoint.Step)
        {
            throw new ArgumentException($"Thread '{checkpoint.ThreadId}' already has step {steps[^1]}; checkpoint steps must grow.", nameof(checkpoint));
        }

        var path = Path.Combine(folder, FileName(checkpoint.Step));
        var temp = path + "." + Guid.NewGuid().ToString("N") + TempExtension;
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream)
            {
                await JsonSerializer.SerializeAsync(stream, checkpoint, GraphCheckpointJsonContext.Default.GraphCheckpoint, cancellationToken);
                await stream.FlushAsync(cancellationToken);

                // Durable before it becomes visible: the rename below publishes a complete file.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: false);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        steps.Add(checkpoint.Step);
        for (var i = 0; i < steps.Count; i++)
        {
            if (!retention.Keeps(steps.Count - 1 - i))
            {
                TryDelete(Path.Combine(folder, FileName(steps[i])));
            }
        }

        foreach (var leftover in Directory.EnumerateFiles(folder, "*" + TempExtension))
        {
            if (!string.Equals(leftover, temp, StringComparison.Ordinal))
            {
                TryDelete(leftover);
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The checkpoint file exists but does not hold a checkpoint.</exception>
    public async ValueTask<GraphCheckpoint?> GetAsync(string threadId, long? step = null, CancellationToken cancellationToken = default)
    {
        var folder = ThreadFolder(threadId);
        if (!Directory.Exists(folder))
        {
            return null;
        }

        if (step is { } s)
        {
            var path = Path.Combine(folder, FileName(s));
            return File.Exists(path) ? await ReadAsync(path, cancellationToken) : null;
        }

        var steps = Steps(folder);
        return steps.Count == 0 ? null : await ReadAsync(Path.Combine(folder, FileName(steps[^1])), cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<GraphCheckpoint> ListAsync(string threadId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var folder = ThreadFolder(threadId);
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var steps = Steps(folder);
        for (var i = steps.Count - 1; i >= 0; i--)
        {
            var path = Path.Combine(folder, FileName(steps[i]));
            if (File.Exists(path))
            {
                yield return await ReadAsync(path, cancellationToken);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<int> DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default)
    {
        var folder = ThreadFolder(threadId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Directory.Exists(folder))
        {
            return ValueTask.FromResult(0);
        }

        var count = Steps(folder).Count;
        Directory.Delete(folder, recursive: true);
        return ValueTask.FromResult(count);
    }

    private static async ValueTask<GraphCheckpoint> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous);
        await using (stream)
        {
            try
            {
                return await JsonSerializer.DeserializeAsync(stream, GraphCheckpointJsonContext.Default.GraphCheckpoint, cancellationToken)
                    ?? throw new InvalidDataException($"The checkpoint file '{path}' holds null.");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"The checkpoint file '{path}' is not a checkpoint: {ex.Message}", ex);
            }
        }
    }

    private static List<long> Steps(string folder)
    {
        var steps = new List<long>();
        foreach (var file in Directory.EnumerateFiles(folder, "*" + Extension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var step))
            {
                steps.Add(step);
            }
        }

        steps.Sort();
        return steps;
    }

    private static string FileName(long step) => step.ToString("D19", CultureInfo.InvariantCulture) + Extension;

    private string ThreadFolder(string threadId)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(threadId));
        return Path.Combine(_directory, Convert.ToHexStringLower(hash.AsSpan(0, 16)));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
