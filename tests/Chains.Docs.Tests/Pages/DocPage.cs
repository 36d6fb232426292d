using System.Text.RegularExpressions;

namespace Chains.Docs.Tests.Pages;

/// <summary>A fenced code block of a page, with the snippet marker directly above it, if any.</summary>
/// <param name="Language">The fence's info string (<c>csharp</c>, <c>bash</c>...).</param>
/// <param name="Snippets">The snippet names of the marker (in order), or <see langword="null"/> for an unmarked block.</param>
/// <param name="NotCompiled">The block is marked <c>&lt;!-- not-compiled --&gt;</c>: an uncompilable fragment on purpose.</param>
/// <param name="FenceLine">The 0-based line of the opening fence.</param>
/// <param name="ContentStart">The 0-based first content line.</param>
/// <param name="ContentEnd">The 0-based line of the closing fence.</param>
/// <param name="Indent">The indentation of the opening fence.</param>
/// <param name="Content">The block's text with its common indentation removed.</param>
internal sealed record FencedBlock(string Language, IReadOnlyList<string>? Snippets, bool NotCompiled, int FenceLine, int ContentStart, int ContentEnd, string Indent, string Content)
{
    /// <summary>Gets a value indicating whether the block is C#.</summary>
    public bool IsCSharp => Language is "csharp" or "cs" or "c#";
}

/// <summary>A markdown page of docs/ and its fenced code blocks.</summary>
internal sealed partial class DocPage
{
    private DocPage(string path, string relativePath, string[] lines, IReadOnlyList<FencedBlock> blocks, IReadOnlyList<string> problems)
    {
        Path = path;
        RelativePath = relativePath;
        Lines = lines;
        Blocks = blocks;
        Problems = problems;
    }

    /// <summary>Gets the full path.</summary>
    public string Path { get; }

    /// <summary>Gets the path relative to the repository root, with forward slashes.</summary>
    public string RelativePath { get; }

    /// <summary>Gets the page's lines.</summary>
    public string[] Lines { get; }

    /// <summary>Gets the fenced code blocks.</summary>
    public IReadOnlyList<FencedBlock> Blocks { get; }

    /// <summary>Gets the markers that do not sit directly above a fenced block, and unclosed fences.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Gets a value indicating whether the page shows any snippet.</summary>
    public bool UsesSnippets => Blocks.Any(b => b.Snippets is not null);

    /// <summary>Reads a page.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The page.</returns>
    public static DocPage Load(string path)
    {
        var relative = System.IO.Path.GetRelativePath(SnippetSource.RepoRoot, path).Replace('\\', '/');
        var lines = File.ReadAllText(path).ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<FencedBlock>();
        var problems = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = SnippetMarker().Match(lines[i]);
            var notCompiled = NotCompiledMarker().IsMatch(lines[i]);
            if (marker.Success || notCompiled)
            {
                if (i + 1 >= lines.Length || !Fence().IsMatch(lines[i + 1]))
                {
                    problems.Add($"{relative}:{i + 1}: the marker '{lines[i].Trim()}' must sit on the line directly above a ``` fence.");
                }

                continue;
            }

            var fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                continue;
            }

            var ticks = fence.Groups["ticks"].Value;
            var end = i + 1;
            while (end < lines.Length && lines[end].Trim() != ticks)
            {
                end++;
            }

            if (end >= lines.Length)
            {
                problems.Add($"{relative}:{i + 1}: this {ticks} fence is never closed.");
                break;
            }

            IReadOnlyList<string>? names = null;
            var above = i > 0 ? lines[i - 1] : string.Empty;
            if (SnippetMarker().Match(above) is { Success: true } m)
            {
                names = [.. m.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
            }

            blocks.Add(new FencedBlock(
                fence.Groups["lang"].Value.ToLowerInvariant(),
                names,
                NotCompiledMarker().IsMatch(above),
                i,
                i + 1,
                end,
                fence.Groups["indent"].Value,
                SnippetSource.Dedent(lines[(i + 1)..end])));
            i = end;
        }

        return new DocPage(path, relative, lines, blocks, problems);
    }

    /// <summary>Gets the text a snippet block must hold: its regions joined by a blank line.</summary>
    /// <param name="block">A snippet block.</param>
    /// <param name="regions">The regions by name.</param>
    /// <returns>The expected text, or <see langword="null"/> when a region is missing.</returns>
    public static string? Expected(FencedBlock block, IReadOnlyDictionary<string, SnippetRegion> regions)
        => block.Snippets!.All(regions.ContainsKey) ? string.Join("\n\n", block.Snippets!.Select(n => regions[n].Text)) : null;

    /// <summary>Writes the page back with the given blocks' content replaced.</summary>
    /// <param name="replacements">The blocks and their new text.</param>
    public void Rewrite(IReadOnlyList<(FencedBlock Block, string Text)> replacements)
    {
        var output = new List<string>(Lines.Length);
        var next = 0;
        foreach (var (block, text) in replacements.OrderBy(r => r.Block.ContentStart))
        {
            output.AddRange(Lines[next..block.ContentStart]);
            output.AddRange(text.Split('\n').Select(l => l.Length == 0 ? l : block.Indent + l));
            next = block.ContentEnd;
        }

        output.AddRange(Lines[next..]);
        File.WriteAllText(Path, string.Join('\n', output));
    }

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(?<names>[^>]*?)\s*-->\s*$")]
    private static partial Regex SnippetMarker();

    [GeneratedRegex(@"^\s*<!--\s*not-compiled\b[^>]*-->\s*$")]
    private static partial Regex NotCompiledMarker();

    [GeneratedRegex(@"^(?<indent>\s*)(?<ticks>```+|~~~+)\s*(?<lang>[^\s`]*)")]
    private static partial Regex Fence();
}
