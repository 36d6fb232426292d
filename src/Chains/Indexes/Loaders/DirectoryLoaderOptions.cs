namespace Chains.Indexes.Loaders;

/// <summary>Options of a <see cref="DirectoryLoader"/>: which files, which loaders, and what to do when one fails.</summary>
public sealed record DirectoryLoaderOptions
{
    /// <summary>Gets the glob patterns of the files to load, relative to the root (<c>**/*.md</c>, <c>docs/*.txt</c>).
    /// Defaults to <c>**/*</c>: every file whose extension has a loader. Matching ignores case.</summary>
    public IReadOnlyList<string> Include { get; init; } = ["**/*"];

    /// <summary>Gets the glob patterns of files to leave out even when included (<c>**/bin/**</c>). Defaults to none.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Gets the loaders by extension. <see langword="null"/> (the default) uses
    /// <see cref="DocumentLoaderRegistry.CreateDefault"/>. Files whose extension has no loader are skipped.</summary>
    public DocumentLoaderRegistry? Loaders { get; init; }

    /// <summary>Gets a value indicating whether the first file that fails ends loading with a
    /// <see cref="DocumentLoadException"/> naming it. By default (<see langword="false"/>) the failure is reported to
    /// <see cref="OnError"/> and loading carries on with the next file.</summary>
    public bool StopOnError { get; init; }

    /// <summary>Gets the callback told about each file that fails (its path and exception) when
    /// <see cref="StopOnError"/> is off. It runs on the loading thread before the next file is read. Without it,
    /// the other files are still loaded and a <see cref="DocumentLoadException"/> naming every failing file is thrown at
    /// the end.</summary>
    public Action<FileLoadFailure>? OnError { get; init; }
}
