using System.Runtime.CompilerServices;
using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;

namespace Chains.Indexes.Loaders;

/// <summary>
/// Loads every file under a folder that the include globs match and the exclude globs do not, each with the loader
/// its extension is registered with, in ordinal order of the relative paths so runs are repeatable. A file that fails
/// is reported with its exception and skipped, unless <see cref="DirectoryLoaderOptions.StopOnError"/> is set.
/// </summary>
/// <remarks>
/// Documents carry the path relative to the root, with <c>/</c> separators, as their source and id prefix
/// (<c>guides/intro.md#section-2</c>), so ids do not change when the folder moves or the machine changes. Documents
/// stream as each file is read; a file that fails part-way keeps the documents it already produced. Cancellation
/// stops loading with an <see cref="OperationCanceledException"/> and is never reported as a file failure.
/// </remarks>
public sealed class DirectoryLoader : IDocumentLoader
{
    private readonly string _root;
    private readonly string[] _include;
    private readonly string[] _exclude;
    private readonly DocumentLoaderRegistry _loaders;
    private readonly bool _stopOnError;
    private readonly Action<FileLoadFailure>? _onError;

    /// <summary>Initializes a loader for a folder.</summary>
    /// <param name="path">The root folder.</param>
    /// <param name="options">Globs, loaders and error handling; <see langword="null"/> loads every file with a default
    /// loader and skips failures.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, <c>Include</c> is empty, or a pattern is blank.</exception>
    public DirectoryLoader(string path, DirectoryLoaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new DirectoryLoaderOptions();
        ArgumentNullException.ThrowIfNull(options.Include, "options.Include");
        ArgumentNullException.ThrowIfNull(options.Exclude, "options.Exclude");
        _include = [.. options.Include];
        _exclude = [.. options.Exclude];
        if (_include.Length == 0 || _include.Concat(_exclude).Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Include must hold at least one pattern, and no pattern may be blank.", nameof(options));
        }

        _root = System.IO.Path.GetFullPath(path);
        _loaders = options.Loaders?.Snapshot() ?? DocumentLoaderRegistry.CreateDefault();
        _stopOnError = options.StopOnError;
        _onError = options.OnError;
    }

    /// <inheritdoc />
    /// <exception cref="DirectoryNotFoundException">The root folder does not exist.</exception>
    /// <exception cref="DocumentLoadException">A file failed and <see cref="DirectoryLoaderOptions.StopOnError"/> is set;
    /// or, without an <see cref="DirectoryLoaderOptions.OnError"/> callback, files failed: then it is thrown after every
    /// other file was loaded, naming each failing file.</exception>
    public async IAsyncEnumerable<Document> LoadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var unreported = new List<FileLoadFailure>();
        foreach (var relative in MatchFiles())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_loaders.TryGetFactory(System.IO.Path.GetExtension(relative) is { Length: > 1 } e ? e : ".", out var factory))
            {
                continue;
            }

            var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(_root, relative));
            IAsyncEnumerator<Document> documents;
            try
            {
                documents = factory(new FileLoaderArguments(full, relative)).LoadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            }
            catch (Exception exception) when (!IsCancellation(exception, cancellationToken))
            {
                Fail(full, relative, exception, unreported);
                continue;
            }

            try
            {
                while (true)
                {
                    bool more;
                    try
                    {
                        more = await documents.MoveNextAsync();
                    }
                    catch (Exception exception) when (!IsCancellation(exception, cancellationToken))
                    {
                        Fail(full, relative, exception, unreported);
                        break;
                    }

                    if (!more)
                    {
                        break;
                    }

                    yield return documents.Current;
                }
            }
            finally
            {
                await documents.DisposeAsync();
            }
        }

        if (unreported.Count > 0)
        {
            // Nobody asked to hear about failures: say so at the end rather than dropping files silently.
            var names = string.Join(", ", unreported.Select(f => f.SourceName));
            throw new DocumentLoadException(
                $"{unreported.Count} file(s) failed to load and were skipped: {names}. Pass DirectoryLoaderOptions.OnError to handle failures yourself, or StopOnError to stop at the first.",
                unreported[0].SourceName,
                new AggregateException(unreported.Select(f => f.Exception)));
        }
    }

    /// <summary>The matching files' paths relative to the root, with <c>/</c> separators, in ordinal order.</summary>
    internal List<string> MatchFiles()
    {
        if (!Directory.Exists(_root))
        {
            throw new DirectoryNotFoundException($"The folder '{_root}' does not exist.");
        }

        var matcher = new Matcher(StringComparison.OrdinalIgnoreCase);
        matcher.AddIncludePatterns(_include);
        matcher.AddExcludePatterns(_exclude);
        var result = matcher.Execute(new DirectoryInfoWrapper(new DirectoryInfo(_root)));
        var files = result.Files.Select(f => f.Path.Replace('\\', '/')).Distinct(StringComparer.Ordinal).ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private void Fail(string path, string relative, Exception exception, List<FileLoadFailure> unreported)
    {
        if (_stopOnError)
        {
            throw new DocumentLoadException($"Loading '{relative}' failed: {exception.Message}", relative, exception);
        }

        var failure = new FileLoadFailure(path, relative, exception);
        if (_onError is null)
        {
            unreported.Add(failure);
        }
        else
        {
            _onError(failure);
        }
    }

    private static bool IsCancellation(Exception exception, CancellationToken cancellationToken)
        => exception is OperationCanceledException && cancellationToken.IsCancellationRequested;
}
