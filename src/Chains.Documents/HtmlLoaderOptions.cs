using System.Text;
using Chains.Indexes.Loaders;

namespace Chains.Documents;

/// <summary>Options of an <see cref="HtmlLoader"/>.</summary>
public sealed record HtmlLoaderOptions : FileLoaderOptions
{
    /// <summary>Gets the encoding to read the file with. <see langword="null"/> (the default) detects it: byte order
    /// mark, else UTF-8 when valid, else the <c>&lt;meta charset&gt;</c> declaration, else GB18030.</summary>
    public Encoding? Encoding { get; init; }

    /// <summary>Gets a CSS selector for the element that holds the main text (<c>#content</c>, <c>div.post</c>), for sites
    /// whose markup the built-in choice misses. <see langword="null"/> (the default) uses the first <c>&lt;main&gt;</c> or
    /// <c>role="main"</c> element, else the only <c>&lt;article&gt;</c>, else <c>&lt;body&gt;</c>.</summary>
    public string? ContentSelector { get; init; }
}
