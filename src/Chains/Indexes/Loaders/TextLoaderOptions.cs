using System.Text;

namespace Chains.Indexes.Loaders;

/// <summary>Options of a <see cref="TextLoader"/>.</summary>
public sealed record TextLoaderOptions : FileLoaderOptions
{
    /// <summary>Gets the encoding to read the file with. <see langword="null"/> (the default) detects it with
    /// <see cref="TextEncoding.Detect"/>: byte order mark, else UTF-8 when valid, else GB18030.</summary>
    public Encoding? Encoding { get; init; }
}
