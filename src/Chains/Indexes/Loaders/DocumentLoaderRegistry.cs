using System.Diagnostics.CodeAnalysis;

namespace Chains.Indexes.Loaders;

/// <summary>
/// Maps file extensions to loader factories, so a <see cref="DirectoryLoader"/> knows how to read each file.
/// <see cref="CreateDefault"/> knows the text formats of this package; Chains.Documents adds PDF, DOCX and HTML
/// (<c>registry.AddDocumentFormats()</c>), and <see cref="Register"/> adds or replaces any extension.
/// </summary>
/// <remarks>Configure a registry before handing it to loaders; a <see cref="DirectoryLoader"/> takes a snapshot when it
/// is created, so later changes do not affect it. The registry itself is not thread-safe while it is being changed.</remarks>
public sealed class DocumentLoaderRegistry
{
    private readonly Dictionary<string, Func<FileLoaderArguments, IDocumentLoader>> _factories;

    /// <summary>Initializes an empty registry.</summary>
    public DocumentLoaderRegistry() => _factories = new(StringComparer.OrdinalIgnoreCase);

    private DocumentLoaderRegistry(Dictionary<string, Func<FileLoaderArguments, IDocumentLoader>> factories)
        => _factories = new(factories, StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the registered extensions (with the leading dot), in ordinal order.</summary>
    public IReadOnlyList<string> Extensions => [.. _factories.Keys.Order(StringComparer.OrdinalIgnoreCase)];

    /// <summary>Creates a registry for the text formats: <c>.txt</c>, <c>.text</c>, <c>.log</c> (<see cref="TextLoader"/>),
    /// <c>.md</c>, <c>.markdown</c> (<see cref="MarkdownLoader"/>), <c>.csv</c>, <c>.tsv</c> (<see cref="CsvLoader"/>),
    /// <c>.json</c>, <c>.jsonl</c>, <c>.ndjson</c> (<see cref="JsonLoader"/>), each with default options.</summary>
    /// <returns>A new registry, free to change.</returns>
    public static DocumentLoaderRegistry CreateDefault()
    {
        var registry = new DocumentLoaderRegistry();
        foreach (var extension in (string[])[".txt", ".text", ".log"])
        {
            registry.Register(extension, f => new TextLoader(f.Path, new TextLoaderOptions { SourceName = f.SourceName }));
        }

        foreach (var extension in (string[])[".md", ".markdown"])
        {
            registry.Register(extension, f => new MarkdownLoader(f.Path, new MarkdownLoaderOptions { SourceName = f.SourceName }));
        }

        registry.Register(".csv", f => new CsvLoader(f.Path, new CsvLoaderOptions { SourceName = f.SourceName }));
        registry.Register(".tsv", f => new CsvLoader(f.Path, new CsvLoaderOptions { SourceName = f.SourceName, Delimiter = '\t' }));
        foreach (var extension in (string[])[".json", ".jsonl", ".ndjson"])
        {
            registry.Register(extension, f => new JsonLoader(f.Path, new JsonLoaderOptions { SourceName = f.SourceName }));
        }

        return registry;
    }

    /// <summary>Registers the loader factory of an extension, replacing any factory it had.</summary>
    /// <param name="extension">The extension, with or without the leading dot (<c>.pdf</c> or <c>pdf</c>); matched
    /// without regard to case.</param>
    /// <param name="factory">Creates the loader of one file; pass <see cref="FileLoaderArguments.SourceName"/> on as the
    /// loader's <see cref="FileLoaderOptions.SourceName"/> so ids stay relative.</param>
    /// <returns>This registry, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="extension"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is <see langword="null"/>.</exception>
    public DocumentLoaderRegistry Register(string extension, Func<FileLoaderArguments, IDocumentLoader> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factories[Normalize(extension)] = factory;
        return this;
    }

    /// <summary>Gets the factory registered for an extension.</summary>
    /// <param name="extension">The extension, with or without the leading dot.</param>
    /// <param name="factory">The factory, when one is registered.</param>
    /// <returns><see langword="true"/> when a factory is registered.</returns>
    /// <exception cref="ArgumentException"><paramref name="extension"/> is empty.</exception>
    public bool TryGetFactory(string extension, [NotNullWhen(true)] out Func<FileLoaderArguments, IDocumentLoader>? factory)
        => _factories.TryGetValue(Normalize(extension), out factory);

    /// <summary>Returns an independent copy, which is what a <see cref="DirectoryLoader"/> keeps.</summary>
    internal DocumentLoaderRegistry Snapshot() => new(_factories);

    private static string Normalize(string extension)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(extension);
        var trimmed = extension.Trim();
        return trimmed[0] == '.' ? trimmed : "." + trimmed;
    }
}
