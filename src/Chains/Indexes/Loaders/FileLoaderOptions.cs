namespace Chains.Indexes.Loaders;

/// <summary>What every file loader's options share: the name that documents carry as their source and id prefix.</summary>
public abstract record FileLoaderOptions
{
    /// <summary>Gets the name used as <see cref="Document.Source"/>, as the <see cref="DocumentMetadataKeys.Source"/>
    /// metadata and at the start of every document id. <see langword="null"/> (the default) uses the path given to the
    /// loader. Set a relative path or a URL to keep ids stable when the files move; a <see cref="DirectoryLoader"/> sets
    /// the path relative to its root.</summary>
    public string? SourceName { get; init; }
}
