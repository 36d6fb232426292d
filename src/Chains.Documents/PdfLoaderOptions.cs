using Chains.Indexes.Loaders;

namespace Chains.Documents;

/// <summary>Options of a <see cref="PdfLoader"/>.</summary>
public sealed record PdfLoaderOptions : FileLoaderOptions
{
    /// <summary>Gets the password of an encrypted PDF; <see langword="null"/> (the default) for none.</summary>
    public string? Password { get; init; }
}
