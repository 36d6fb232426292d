using Chains.Documents;

namespace Chains.Indexes.Loaders;

/// <summary>Adds the loaders of Chains.Documents to a <see cref="DocumentLoaderRegistry"/>.</summary>
public static class DocumentFormatsRegistryExtensions
{
    /// <summary>Registers <see cref="PdfLoader"/> for <c>.pdf</c>, <see cref="DocxLoader"/> for <c>.docx</c> and
    /// <see cref="HtmlLoader"/> for <c>.html</c>, <c>.htm</c> and <c>.xhtml</c>, each with default options, replacing any
    /// loader those extensions had: <c>DocumentLoaderRegistry.CreateDefault().AddDocumentFormats()</c>.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="registry"/> is <see langword="null"/>.</exception>
    public static DocumentLoaderRegistry AddDocumentFormats(this DocumentLoaderRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register(".pdf", f => new PdfLoader(f.Path, new PdfLoaderOptions { SourceName = f.SourceName }));
        registry.Register(".docx", f => new DocxLoader(f.Path, new DocxLoaderOptions { SourceName = f.SourceName }));
        foreach (var extension in (string[])[".html", ".htm", ".xhtml"])
        {
            registry.Register(extension, f => new HtmlLoader(f.Path, new HtmlLoaderOptions { SourceName = f.SourceName }));
        }

        return registry;
    }
}
