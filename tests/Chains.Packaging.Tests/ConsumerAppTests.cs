using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;

namespace Chains.Packaging.Tests;

/// <summary>
/// A console app outside the clone takes Chains and Chains.Onnx by version from the local feed with
/// <c>dotnet add package</c>, builds with warnings as errors, and runs a prompt → model → parser chain and MiniLM
/// embeddings of English and Chinese sentences.
/// </summary>
public sealed class ConsumerAppTests(PackedLibraries packed) : IDisposable
{
    // The program the app runs: a chain with a lambda standing in for the model (it numbers the items it is given, one
    // per line) and the list parser, then MiniLM embeddings. It prints key=value lines the test reads.
    private const string Program = """
        using System.Globalization;
        using System.Numerics.Tensors;
        using System.Text;
        using Chains.Onnx;
        using Chains.Parsing;
        using Chains.Prompts;
        using Chains.Runnables;
        using Microsoft.Extensions.AI;

        Console.OutputEncoding = Encoding.UTF8;

        var model = Runnable.Lambda((PromptValue prompt) =>
        {
            var items = prompt.ToString().Split(':', 2)[1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Join('\n', items.Select((item, i) => $"{i + 1}. {item}"))));
        });
        Runnable<Request, IReadOnlyList<string>> chain = new PromptTemplate<Request>("List these items: {Items}")
            .Pipe(model)
            .Pipe(new ListOutputParser());
        var parsed = await chain.InvokeAsync(new Request(args[0]));
        Console.WriteLine("items=" + string.Join('|', parsed));

        using var embedder = new MiniLmEmbeddingGenerator(new MiniLmOptions { IntraOpNumThreads = 1 });
        string[] sentences = args[1..];
        var vectors = await embedder.GenerateAsync(sentences);
        for (var i = 0; i < sentences.Length; i++)
        {
            var vector = vectors[i].Vector.Span;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"embedding{i}={sentences[i]}|{vector.Length}|{TensorPrimitives.Norm(vector):R}|{embedder.CountTokens(sentences[i])}"));
        }

        for (var i = 0; i < sentences.Length; i++)
        {
            for (var j = i + 1; j < sentences.Length; j++)
            {
                var cosine = TensorPrimitives.CosineSimilarity(vectors[i].Vector.Span, vectors[j].Vector.Span);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cosine{i}{j}={cosine:R}"));
            }
        }

        public sealed record Request(string Items);
        """;

    private readonly string _app = Path.Combine(Path.GetTempPath(), "chains-packaging-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ConsoleApp_AddsThePackagesByVersionFromTheLocalFeed_BuildsAndRuns()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var fullApp = Path.GetFullPath(_app);
        Assert.False(
            fullApp.StartsWith(packed.RepoRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal),
            $"The temporary folder {fullApp} is inside the clone, whose Directory.Build.props and Directory.Packages.props would apply to the app; set TMPDIR elsewhere.");
        Directory.CreateDirectory(_app);

        // The app sees none of the clone's central settings: its own empty shells stop MSBuild's search upwards.
        File.WriteAllText(Path.Combine(_app, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(_app, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(_app, "Directory.Packages.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(_app, "Program.cs"), Program);
        File.WriteAllText(Path.Combine(_app, "Consumer.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
            </Project>
            """);
        var packages = Path.Combine(_app, "packages");
        WriteNuGetConfig(await GlobalPackagesFolderAsync(cancellationToken));

        // Packages extract into the app's own folder (deleted afterwards); everything else comes from the machine's cache.
        var environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages };
        await DotnetCli.RunCheckedAsync(_app, ["add", "package", "Chains", "--version", packed.Version], environment, cancellationToken: cancellationToken);
        await DotnetCli.RunCheckedAsync(_app, ["add", "package", "Chains.Onnx", "--version", packed.Version], environment, cancellationToken: cancellationToken);

        var references = XDocument.Load(Path.Combine(_app, "Consumer.csproj")).Descendants("PackageReference")
            .ToDictionary(r => r.Attribute("Include")?.Value ?? string.Empty, r => r.Attribute("Version")?.Value);
        Assert.Equal(packed.Version, references.GetValueOrDefault("Chains"));
        Assert.Equal(packed.Version, references.GetValueOrDefault("Chains.Onnx"));

        // Restored as packages of this run, from the feed.
        using (var assets = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_app, "obj", "project.assets.json"))))
        {
            var libraries = assets.RootElement.GetProperty("libraries");
            foreach (var id in (string[])["Chains", "Chains.Onnx"])
            {
                Assert.True(libraries.TryGetProperty($"{id}/{packed.Version}", out var library), $"project.assets.json has no {id}/{packed.Version}.");
                Assert.Equal("package", library.GetProperty("type").GetString());
            }
        }

        Assert.True(File.Exists(Path.Combine(packages, "chains.onnx", packed.Version.ToLowerInvariant(), "THIRD-PARTY-NOTICES.txt")), "The restored Chains.Onnx package has no THIRD-PARTY-NOTICES.txt.");

        await DotnetCli.RunCheckedAsync(_app, ["build", "-c", "Release", "--no-restore", "-nologo", "--disable-build-servers"], environment, cancellationToken: cancellationToken);

        string[] sentences = ["The cat sits on the mat.", "A cat is lying on a rug.", "Stock markets fell sharply today.", "猫坐在垫子上。", "一只猫躺在垫子上。", "今天股市大幅下跌。"];
        var output = await DotnetCli.RunCheckedAsync(
            _app,
            [Path.Combine(_app, "bin", "Release", "net10.0", "Consumer.dll"), "苹果, banana, 长城", .. sentences],
            environment,
            cancellationToken: cancellationToken);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("items=", StringComparison.Ordinal) || l.StartsWith("embedding", StringComparison.Ordinal) || l.StartsWith("cosine", StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);

        // prompt → model → parser: the numbered lines come back as the items, Chinese ones included.
        Assert.Equal("苹果|banana|长城", lines.GetValueOrDefault("items"));

        for (var i = 0; i < sentences.Length; i++)
        {
            var fields = lines[$"embedding{i}"].Split('|');
            Assert.Equal(sentences[i], fields[0]);
            Assert.Equal("384", fields[1]);
            Assert.Equal(1.0, double.Parse(fields[2], CultureInfo.InvariantCulture), 4);
            // Each CJK character is its own token (plus [CLS] and [SEP]).
            Assert.True(int.Parse(fields[3], CultureInfo.InvariantCulture) >= sentences[i].Count(c => c >= '\u4e00' && c <= '\u9fff') + 2, $"Token count of '{sentences[i]}': {fields[3]}.");
        }

        double Cosine(int i, int j) => double.Parse(lines[$"cosine{i}{j}"], CultureInfo.InvariantCulture);

        // The model, not noise: two sentences about a cat are far closer than either is to one about stocks, in English
        // (measured 0.63 against 0.05) and in Chinese (0.92 against 0.62: CJK characters are real tokens, not unknowns).
        Assert.True(Cosine(0, 1) > Math.Max(Cosine(0, 2), Cosine(1, 2)) + 0.3, $"English: cat/cat {Cosine(0, 1)}, cat/stocks {Cosine(0, 2)} and {Cosine(1, 2)}.");
        Assert.True(Cosine(3, 4) > Math.Max(Cosine(3, 5), Cosine(4, 5)) + 0.15, $"Chinese: cat/cat {Cosine(3, 4)}, cat/stocks {Cosine(3, 5)} and {Cosine(4, 5)}.");
    }

    public void Dispose()
    {
        if (Directory.Exists(_app))
        {
            Directory.Delete(_app, recursive: true);
        }
    }

    /// <summary>The machine's NuGet cache, used read-only as a fallback folder so the app's restore needs no download.</summary>
    private async Task<string> GlobalPackagesFolderAsync(CancellationToken cancellationToken)
    {
        var output = await DotnetCli.RunCheckedAsync(packed.RepoRoot, ["nuget", "locals", "global-packages", "--list"], cancellationToken: cancellationToken);
        var line = output.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault(l => l.StartsWith("global-packages:", StringComparison.Ordinal));
        Assert.True(line is not null, $"`dotnet nuget locals global-packages --list` printed no folder:{Environment.NewLine}{output}");
        return line["global-packages:".Length..].Trim();
    }

    /// <summary>Copies the clone's NuGet.config next to the app with its local feed made absolute, plus the machine's
    /// NuGet cache as a fallback folder.</summary>
    private void WriteNuGetConfig(string globalPackagesFolder)
    {
        var config = XDocument.Load(Path.Combine(packed.RepoRoot, "NuGet.config"));
        var root = config.Root ?? throw new InvalidDataException("NuGet.config has no root element.");
        foreach (var source in root.Element("packageSources")?.Elements("add") ?? [])
        {
            var value = source.Attribute("value")?.Value;
            if (value is not null && !value.Contains("://", StringComparison.Ordinal) && !Path.IsPathRooted(value))
            {
                source.SetAttributeValue("value", Path.GetFullPath(value, packed.RepoRoot));
            }
        }

        root.Add(new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "machine"), new XAttribute("value", globalPackagesFolder))));
        config.Save(Path.Combine(_app, "NuGet.config"));
    }
}
