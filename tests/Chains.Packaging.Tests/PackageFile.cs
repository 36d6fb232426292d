using System.IO.Compression;
using System.Xml.Linq;

namespace Chains.Packaging.Tests;

/// <summary>A .nupkg or .snupkg opened for reading: its entries and its manifest (.nuspec).</summary>
internal sealed class PackageFile : IDisposable
{
    private readonly ZipArchive _zip;

    public PackageFile(string path)
    {
        Path = path;
        _zip = ZipFile.OpenRead(path);
        var nuspecs = _zip.Entries.Where(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(nuspecs.Count == 1, $"{path} has {nuspecs.Count} .nuspec files at its root; a package has exactly one.");
        using var stream = nuspecs[0].Open();
        Nuspec = XDocument.Load(stream);
        Metadata = Nuspec.Root?.Elements().SingleOrDefault(e => e.Name.LocalName == "metadata")
            ?? throw new InvalidDataException($"The manifest of {path} has no <metadata>.");
    }

    public string Path { get; }

    public XDocument Nuspec { get; }

    public XElement Metadata { get; }

    /// <summary>Gets the entry names (forward slashes, as stored).</summary>
    public IReadOnlyList<string> Entries => [.. _zip.Entries.Select(e => e.FullName)];

    /// <summary>Gets the text of a manifest element, e.g. <c>id</c>, or <see langword="null"/> when it is missing.</summary>
    public string? Get(string element) => Element(element)?.Value;

    public XElement? Element(string element) => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == element);

    public IEnumerable<XElement> Descendants(string element) => Metadata.Descendants().Where(e => e.Name.LocalName == element);

    public byte[] Read(string entry)
    {
        var found = _zip.GetEntry(entry) ?? throw new FileNotFoundException($"{Path} has no entry '{entry}'; it has: {string.Join(", ", Entries)}.");
        using var stream = found.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public void Dispose() => _zip.Dispose();
}
