namespace Chains.Indexes.Loaders;

/// <summary>Thrown by a <see cref="DirectoryLoader"/> with <see cref="DirectoryLoaderOptions.StopOnError"/> set when a
/// file fails to load; names the file and wraps the loader's exception.</summary>
public sealed class DocumentLoadException : Exception
{
    /// <summary>Initializes an exception with a message.</summary>
    public DocumentLoadException()
        : this("A document failed to load.")
    {
    }

    /// <summary>Initializes an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public DocumentLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes an exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DocumentLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes an exception for a file that failed to load.</summary>
    /// <param name="message">The message.</param>
    /// <param name="sourceName">The file, relative to the loader's root.</param>
    /// <param name="innerException">The loader's exception.</param>
    public DocumentLoadException(string message, string? sourceName, Exception? innerException)
        : base(message, innerException)
    {
        SourceName = sourceName;
    }

    /// <summary>Gets the file that failed, relative to the loader's root, or <see langword="null"/> when not given.</summary>
    public string? SourceName { get; }
}
