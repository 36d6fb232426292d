using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace Chains.Packaging.Tests;

/// <summary>What every package and symbol package carries: the assembly, its XML docs, its own README, the licence
/// expression, the repository, dependencies on sibling packages at the same version, and the matching PDB.</summary>
public sealed class PackageContentTests(PackedLibraries packed)
{
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    public static TheoryData<string> Projects => [.. PackedLibraries.ReferencedProjects];

    [Fact]
    public void ReferencedProjects_AreEveryLibraryUnderSrc()
    {
        var underSrc = Directory.EnumerateFiles(Path.Combine(packed.RepoRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(
            underSrc.SequenceEqual(packed.ProjectNames),
            $"Every library under src/ must be packed and checked here: add a ProjectReference to Chains.Packaging.Tests.csproj. Under src/: {string.Join(", ", underSrc)}; referenced: {string.Join(", ", packed.ProjectNames)}.");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Package_HasTheAssemblyItsXmlDocsAndItsOwnReadme(string project)
    {
        using var package = new PackageFile(packed[project].Package);

        Assert.Equal(project, package.Get("id"));
        Assert.Equal(packed.Version, package.Get("version"));
        Assert.False(string.IsNullOrWhiteSpace(package.Get("description")), $"{project}: the package has no description.");
        Assert.False(string.IsNullOrWhiteSpace(package.Get("authors")), $"{project}: the package has no authors.");

        using var assembly = new PEReader(new MemoryStream(package.Read($"lib/net10.0/{project}.dll")));
        var metadata = assembly.GetMetadataReader();
        Assert.Equal(project, metadata.GetString(metadata.GetAssemblyDefinition().Name));

        var docs = XDocument.Parse(Encoding.UTF8.GetString(package.Read($"lib/net10.0/{project}.xml")));
        Assert.Equal(project, docs.Root?.Element("assembly")?.Element("name")?.Value);
        Assert.NotEmpty(docs.Root?.Element("members")?.Elements("member") ?? []);

        Assert.Equal("README.md", package.Get("readme"));
        var readme = package.Read("README.md");
        var own = Path.Combine(packed.RepoRoot, "src", project, "README.md");
        Assert.True(File.Exists(own), $"{project} has no README.md of its own at {own} (what it is, how to install it, an example).");
        Assert.Equal(File.ReadAllBytes(own), readme);
        Assert.Contains($"dotnet add package {project}", Encoding.UTF8.GetString(readme), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Package_DeclaresTheMitLicenceTheProjectAndTheRepository(string project)
    {
        using var package = new PackageFile(packed[project].Package);

        var license = package.Element("license");
        Assert.NotNull(license);
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Contains("MIT", license.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.True(Uri.TryCreate(package.Get("projectUrl"), UriKind.Absolute, out var projectUrl) && projectUrl.Scheme == Uri.UriSchemeHttps, $"{project}: projectUrl is '{package.Get("projectUrl")}', not an https URL.");

        var repository = package.Element("repository");
        Assert.NotNull(repository);
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.True(Uri.TryCreate(repository.Attribute("url")?.Value, UriKind.Absolute, out var repositoryUrl) && repositoryUrl.Scheme == Uri.UriSchemeHttps, $"{project}: the repository url is '{repository.Attribute("url")?.Value}', not an https URL.");
        if (Path.Exists(Path.Combine(packed.RepoRoot, ".git")))
        {
            // SourceLink's git support records the commit the package was built from.
            Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? string.Empty);
        }
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Package_DependsOnSiblingPackagesAtItsOwnVersionAndOnNoAnalyzer(string project)
    {
        using var package = new PackageFile(packed[project].Package);
        var dependencies = package.Descendants("dependency").Select(d => (Id: d.Attribute("id")?.Value ?? string.Empty, Version: d.Attribute("version")?.Value)).ToList();

        Assert.NotEmpty(dependencies);
        Assert.All(dependencies.Where(d => d.Id.StartsWith("Chains", StringComparison.Ordinal)), d => Assert.Equal(packed.Version, d.Version));
        Assert.DoesNotContain(dependencies, d => d.Id.StartsWith("Microsoft.CodeAnalysis.", StringComparison.Ordinal));
        if (project != "Chains")
        {
            Assert.Contains(dependencies, d => d.Id == "Chains");
        }
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void SymbolPackage_HasThePortablePdbOfTheDeterministicAssembly(string project)
    {
        using var package = new PackageFile(packed[project].Package);
        using var symbols = new PackageFile(packed[project].SymbolPackage);

        Assert.Equal(project, symbols.Get("id"));
        Assert.Equal(packed.Version, symbols.Get("version"));
        Assert.Contains(symbols.Descendants("packageType"), t => t.Attribute("name")?.Value == "SymbolsPackage");

        using var assembly = new PEReader(new MemoryStream(package.Read($"lib/net10.0/{project}.dll")));
        var debugDirectory = assembly.ReadDebugDirectory();
        Assert.Contains(debugDirectory, e => e.Type == DebugDirectoryEntryType.Reproducible);
        var codeView = debugDirectory.Single(e => e.Type == DebugDirectoryEntryType.CodeView);
        var pdbName = assembly.ReadCodeViewDebugDirectoryData(codeView).Path;

        using var pdb = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(symbols.Read($"lib/net10.0/{project}.pdb")));
        var reader = pdb.GetMetadataReader();
        Assert.Equal(Path.GetFileName(pdbName.Replace('\\', '/')), project + ".pdb");

        // The PDB id is the CodeView GUID followed by the entry's stamp: equal only for the PDB of this very build.
        var id = reader.DebugMetadataHeader!.Id;
        var expected = assembly.ReadCodeViewDebugDirectoryData(codeView).Guid.ToByteArray().Concat(BitConverter.GetBytes(codeView.Stamp));
        Assert.Equal(expected, id);

        // SourceLink: the sources map to the repository at the commit the package names (see Directory.Build.props).
        if (Path.Exists(Path.Combine(packed.RepoRoot, ".git")))
        {
            var commit = package.Element("repository")?.Attribute("commit")?.Value;
            Assert.True(commit is not null, $"{project}: the package names no commit although it was built in a git clone.");
            var sourceLink = reader.CustomDebugInformation
                .Select(reader.GetCustomDebugInformation)
                .Where(c => reader.GetGuid(c.Kind) == SourceLinkKind)
                .Select(c => Encoding.UTF8.GetString(reader.GetBlobBytes(c.Value)))
                .SingleOrDefault();
            Assert.True(sourceLink is not null, $"{project}: the PDB has no SourceLink map although the package was built from commit {commit}.");
            var documents = JsonDocument.Parse(sourceLink).RootElement.GetProperty("documents").EnumerateObject().ToList();
            Assert.Contains(documents, d => d.Value.GetString() is { } url && url.StartsWith("https://", StringComparison.Ordinal) && url.Contains(commit, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void OnnxPackage_CarriesTheModelAndItsApacheAttribution()
    {
        using var package = new PackageFile(packed["Chains.Onnx"].Package);

        Assert.Contains("Apache-2.0", package.Element("license")?.Value ?? string.Empty, StringComparison.Ordinal);
        var notices = package.Read("THIRD-PARTY-NOTICES.txt");
        Assert.Equal(File.ReadAllBytes(Path.Combine(packed.RepoRoot, "src", "Chains.Onnx", "THIRD-PARTY-NOTICES.txt")), notices);
        var text = Encoding.UTF8.GetString(notices);
        Assert.Contains("all-MiniLM-L6-v2", text, StringComparison.Ordinal);
        Assert.Contains("Apache License", text, StringComparison.Ordinal);

        using var assembly = new PEReader(new MemoryStream(package.Read("lib/net10.0/Chains.Onnx.dll")));
        var metadata = assembly.GetMetadataReader();
        var resources = metadata.ManifestResources.Select(h => metadata.GetString(metadata.GetManifestResource(h).Name)).ToList();
        Assert.Contains("Chains.Onnx.all-MiniLM-L6-v2.onnx", resources);
        Assert.Contains("Chains.Onnx.all-MiniLM-L6-v2.vocab.txt", resources);
    }

    [Fact]
    public void RepositoryNuGetConfig_AddsTheLocalFeedWithoutClearingOrNamingAnyRemoteSource()
    {
        var config = XDocument.Load(Path.Combine(packed.RepoRoot, "NuGet.config"));
        var sources = config.Root?.Element("packageSources");

        Assert.NotNull(sources);
        Assert.Empty(sources.Elements("clear"));
        var values = sources.Elements("add").Select(a => a.Attribute("value")?.Value ?? string.Empty).ToList();
        Assert.All(values, v => Assert.DoesNotContain("://", v, StringComparison.Ordinal));
        Assert.Contains(values, v => Path.GetFullPath(v, packed.RepoRoot).TrimEnd('/', '\\') == packed.Feed);
    }
}
