using System.Reflection;
using System.Text.RegularExpressions;

namespace Chains.Docs.Tests.Pages;

/// <summary>A named region of a snippet file: the lines between <c>// &lt;snippet:name&gt;</c> and
/// <c>// &lt;/snippet:name&gt;</c>, with their common indentation removed.</summary>
/// <param name="Name">The region's name.</param>
/// <param name="File">The file, relative to the repository root.</param>
/// <param name="Line">The 1-based line of the opening marker.</param>
/// <param name="Text">The region's text: no marker lines, no common indentation, no trailing spaces, no leading or
/// trailing blank lines, lines joined by <c>\n</c>.</param>
internal sealed record SnippetRegion(string Name, string File, int Line, string Text);

/// <summary>Reads snippet regions out of <c>docs/snippets/**/*.cs</c>, the files this project compiles.</summary>
internal static partial class SnippetSource
{
    /// <summary>Gets the repository root this assembly was built from (the pages are read from the working tree).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Gets the docs folder.</summary>
    public static string DocsRoot => Path.Combine(RepoRoot, "docs");

    /// <summary>Reads every region of every snippet file.</summary>
    /// <returns>The regions by name, and the problems found (unclosed, unopened, duplicate or badly named regions).</returns>
    public static (IReadOnlyDictionary<string, SnippetRegion> Regions, IReadOnlyList<string> Problems) ReadAll()
    {
        var regions = new Dictionary<string, SnippetRegion>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(DocsRoot, "snippets"), "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(RepoRoot, path).Replace('\\', '/');
            foreach (var region in Parse(relative, File.ReadAllText(path), problems))
            {
                if (!regions.TryAdd(region.Name, region))
                {
                    var first = regions[region.Name];
                    problems.Add($"{relative}:{region.Line}: snippet '{region.Name}' is already defined at {first.File}:{first.Line}; names must be unique across docs/snippets.");
                }
            }
        }

        return (regions, problems);
    }

    /// <summary>Parses the regions of one file.</summary>
    /// <param name="file">The file name used in messages.</param>
    /// <param name="source">The file's text.</param>
    /// <param name="problems">Receives malformed markers.</param>
    /// <returns>The regions, in the order they close.</returns>
    public static IReadOnlyList<SnippetRegion> Parse(string file, string source, List<string> problems)
    {
        var lines = source.ReplaceLineEndings("\n").Split('\n');
        var open = new Dictionary<string, (int Line, List<string> Body)>(StringComparer.Ordinal);
        var result = new List<SnippetRegion>();
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = Marker().Match(lines[i]);
            if (!marker.Success)
            {
                foreach (var region in open.Values)
                {
                    region.Body.Add(lines[i]);
                }

                continue;
            }

            var name = marker.Groups["name"].Value;
            var closing = marker.Groups["close"].Success;
            if (!ValidName().IsMatch(name))
            {
                problems.Add($"{file}:{i + 1}: '{name}' is not a snippet name; use lower-case letters, digits and hyphens (e.g. 'prompts-chat-history').");
                continue;
            }

            if (!closing)
            {
                if (!open.TryAdd(name, (i + 1, [])))
                {
                    problems.Add($"{file}:{i + 1}: snippet '{name}' is opened again before '// </snippet:{name}>' closed it.");
                }
            }
            else if (open.Remove(name, out var region))
            {
                result.Add(new SnippetRegion(name, file, region.Line, Dedent(region.Body)));
            }
            else
            {
                problems.Add($"{file}:{i + 1}: '// </snippet:{name}>' closes a snippet that is not open.");
            }
        }

        foreach (var (name, region) in open)
        {
            problems.Add($"{file}:{region.Line}: snippet '{name}' is never closed; add '// </snippet:{name}>' after its last line.");
        }

        return result;
    }

    /// <summary>Removes the common indentation and trailing spaces of the lines, and leading and trailing blank lines.</summary>
    /// <param name="lines">The lines.</param>
    /// <returns>The text, lines joined by <c>\n</c>.</returns>
    public static string Dedent(IEnumerable<string> lines)
    {
        var trimmed = lines.Select(l => l.TrimEnd()).ToList();
        while (trimmed.Count > 0 && trimmed[0].Length == 0)
        {
            trimmed.RemoveAt(0);
        }

        while (trimmed.Count > 0 && trimmed[^1].Length == 0)
        {
            trimmed.RemoveAt(trimmed.Count - 1);
        }

        var indent = trimmed.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', trimmed.Select(l => l.Length == 0 ? l : l[indent..]));
    }

    private static string FindRepoRoot()
    {
        var root = typeof(SnippetSource).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ChainsRepoRoot")?.Value;
        if (root is null || !Directory.Exists(Path.Combine(root, "docs", "snippets")))
        {
            throw new InvalidOperationException(
                $"The repository root this test assembly was built from ('{root}') has no docs/snippets folder. " +
                "Run the documentation tests from the working tree they were built in.");
        }

        return Path.GetFullPath(root);
    }

    [GeneratedRegex(@"^\s*//\s*<(?<close>/)?snippet:(?<name>[^>\s]*)>\s*$")]
    private static partial Regex Marker();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex ValidName();
}
