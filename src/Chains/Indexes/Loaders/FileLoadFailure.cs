namespace Chains.Indexes.Loaders;

/// <summary>A file that a <see cref="DirectoryLoader"/> could not load, reported to
/// <see cref="DirectoryLoaderOptions.OnError"/>.</summary>
public readonly struct FileLoadFailure
{
    /// <summary>Initializes a failure report.</summary>
    /// <param name="path">The full path of the file.</param>
    /// <param name="sourceName">The path relative to the loader's root, with <c>/</c> separators.</param>
    /// <param name="exception">What went wrong.</param>
    public FileLoadFailure(string path, string sourceName, Exception exception)
    {
        Path = path;
        SourceName = sourceName;
        Exception = exception;
    }

    /// <summary>Gets the full path of the file.</summary>
    public string Path { get; }

    /// <summary>Gets the path relative to the loader's root, with <c>/</c> separators: the source name its documents
    /// would have carried.</summary>
    public string SourceName { get; }

    /// <summary>Gets the exception the file's loader threw (or its factory, when the loader could not be created).</summary>
    public Exception Exception { get; }
}
