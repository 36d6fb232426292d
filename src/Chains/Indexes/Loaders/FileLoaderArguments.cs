namespace Chains.Indexes.Loaders;

/// <summary>What a <see cref="DocumentLoaderRegistry"/> factory gets to create the loader of one file.</summary>
public readonly struct FileLoaderArguments
{
    /// <summary>Initializes the arguments.</summary>
    /// <param name="path">The full path of the file to read.</param>
    /// <param name="sourceName">The name its documents carry as source and id prefix.</param>
    public FileLoaderArguments(string path, string sourceName)
    {
        Path = path;
        SourceName = sourceName;
    }

    /// <summary>Gets the full path of the file to read.</summary>
    public string Path { get; }

    /// <summary>Gets the name the documents must carry as <see cref="Document.Source"/> and id prefix: pass it as
    /// <see cref="FileLoaderOptions.SourceName"/>. For a <see cref="DirectoryLoader"/>, the path relative to its root
    /// with <c>/</c> separators.</summary>
    public string SourceName { get; }
}
