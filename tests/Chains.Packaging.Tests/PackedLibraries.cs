using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

[assembly: AssemblyFixture(typeof(Chains.Packaging.Tests.PackedLibraries))]

namespace Chains.Packaging.Tests;

/// <summary>One packed library: its project and the two packages <c>dotnet pack</c> wrote for it.</summary>
/// <param name="Project">The project's name (its file name without extension).</param>
/// <param name="ProjectPath">The project file.</param>
/// <param name="Package">The .nupkg.</param>
/// <param name="SymbolPackage">The .snupkg.</param>
public sealed record PackedLibrary(string Project, string ProjectPath, string Package, string SymbolPackage);

/// <summary>
/// Packs every library this test project references, once per test run, into the clone's local feed
/// <c>artifacts/packages</c> (the feed NuGet.config names) with a version no other run uses — so concurrent runs never
/// overwrite each other's files and no NuGet cache can serve a stale copy — and deletes those packages afterwards.
/// </summary>
public sealed partial class PackedLibraries : IAsyncLifetime
{
    private static readonly Assembly TestAssembly = typeof(PackedLibraries).Assembly;

    private readonly string _nuspecs = Path.Combine(Path.GetTempPath(), "chains-packaging-nuspec-" + Guid.NewGuid().ToString("N"));

    public PackedLibraries()
    {
        RepoRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(RequiredMetadata("RepoRoot")));
        Configuration = RequiredMetadata("Configuration");
        ArtifactsPath = OptionalMetadata("ArtifactsPath");
        ProjectNames = ReferencedProjects;
        Feed = Path.Combine(RepoRoot, "artifacts", "packages");

        // A SemVer pre-release of the repository's version, unique to this run: UTC time and process id.
        Version = string.Create(CultureInfo.InvariantCulture, $"{RequiredMetadata("VersionPrefix")}-packtest.{TimeProvider.System.GetUtcNow():yyyyMMddHHmmss}.{Environment.ProcessId}");
    }

    /// <summary>Gets the names of the library projects Chains.Packaging.Tests.csproj references, in ordinal order.</summary>
    public static IReadOnlyList<string> ReferencedProjects { get; } =
        [.. TestAssembly.GetCustomAttributes<AssemblyMetadataAttribute>().Where(a => a.Key == "PackedProject").Select(a => a.Value ?? string.Empty).Order(StringComparer.Ordinal)];

    /// <summary>Gets the clone's root folder.</summary>
    public string RepoRoot { get; }

    /// <summary>Gets the configuration the libraries were built in (the test project's own).</summary>
    public string Configuration { get; }

    /// <summary>Gets the artifacts path the build used, or <see langword="null"/> for the default bin/obj layout.</summary>
    public string? ArtifactsPath { get; }

    /// <summary>Gets the names of the projects this test project references (and packs).</summary>
    public IReadOnlyList<string> ProjectNames { get; }

    /// <summary>Gets the local feed the packages are written to.</summary>
    public string Feed { get; }

    /// <summary>Gets the version every package of this run has.</summary>
    public string Version { get; }

    /// <summary>Gets the packed libraries, in project name order.</summary>
    public IReadOnlyList<PackedLibrary> Libraries { get; private set; } = [];

    /// <summary>Gets the library packed from the project named <paramref name="project"/>.</summary>
    public PackedLibrary this[string project] => Libraries.SingleOrDefault(l => l.Project == project)
        ?? throw new ArgumentException($"No packed library '{project}'; packed: {string.Join(", ", Libraries.Select(l => l.Project))}.", nameof(project));

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        var libraries = new List<PackedLibrary>();
        foreach (var name in ProjectNames)
        {
            var project = Path.Combine(RepoRoot, "src", name, name + ".csproj");
            Assert.True(File.Exists(project), $"The referenced library {name} is not at {project}.");

            // --no-build: pack what the solution build produced (tests/run-all.sh builds it before the tests run), so the
            // test neither rebuilds the libraries nor races other test projects over their obj folders.
            // The intermediate .nuspec files go to a folder of this run, not into the libraries' obj folders.
            List<string> args = ["pack", project, "-c", Configuration, "--no-build", "--no-restore", "-o", Feed, $"-p:PackageVersion={Version}", $"-p:NuspecOutputPath={_nuspecs}{Path.DirectorySeparatorChar}", "-nologo"];
            if (ArtifactsPath is not null)
            {
                args.AddRange(["--artifacts-path", ArtifactsPath]);
            }

            var output = await DotnetCli.RunCheckedAsync(RepoRoot, args, timeout: TimeSpan.FromMinutes(3));
            var created = CreatedPackage().Matches(output).Select(m => m.Groups["path"].Value).ToList();
            var package = created.SingleOrDefault(p => p.EndsWith(".nupkg", StringComparison.Ordinal));
            var symbols = created.SingleOrDefault(p => p.EndsWith(".snupkg", StringComparison.Ordinal));
            Assert.True(package is not null && symbols is not null, $"`dotnet pack` of {name} did not report one .nupkg and one .snupkg:{Environment.NewLine}{output}");
            libraries.Add(new PackedLibrary(name, project, package, symbols));
        }

        Libraries = libraries;
    }

    public ValueTask DisposeAsync()
    {
        // Only this run's files: the version is unique to it. The packages are large (Chains.Onnx carries the model).
        foreach (var file in Directory.Exists(Feed) ? Directory.EnumerateFiles(Feed, $"*.{Version}.*nupkg") : [])
        {
            File.Delete(file);
        }

        if (Directory.Exists(_nuspecs))
        {
            Directory.Delete(_nuspecs, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    private static string? OptionalMetadata(string key)
        => TestAssembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value is { Length: > 0 } value ? value : null;

    private static string RequiredMetadata(string key)
        => OptionalMetadata(key) ?? throw new InvalidOperationException($"The test assembly has no '{key}' metadata; Chains.Packaging.Tests.csproj sets it at build time.");

    [GeneratedRegex(@"Successfully created package '(?<path>[^']+)'")]
    private static partial Regex CreatedPackage();
}
