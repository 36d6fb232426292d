using System.Text;

namespace Chains.Docs.Tests.Pages;

/// <summary>
/// Keeps the pages in step with the compiled snippets: a fenced block under <c>&lt;!-- snippet: name --&gt;</c> must be
/// exactly the region <c>// &lt;snippet:name&gt;</c> … <c>// &lt;/snippet:name&gt;</c> of <c>docs/snippets/*.cs</c>
/// (common indentation removed; <c>&lt;!-- snippet: a, b --&gt;</c> joins two regions with a blank line), and on a page
/// that shows snippets every C# block is one (or is marked <c>&lt;!-- not-compiled --&gt;</c>).
/// </summary>
/// <remarks>
/// After changing a snippet, rewrite the pages that show it with
/// <c>CHAINS_UPDATE_SNIPPETS=1 dotnet test --project tests/Chains.Docs.Tests -- --filter-class '*DocPagesTests'</c>
/// (never under <c>CI=true</c>), or paste the text the failure message prints.
/// </remarks>
public sealed class DocPagesTests
{
    /// <summary>Pages whose every C# block must be compiled, whether or not they show a snippet yet.</summary>
    private static readonly string[] CompiledPages =
    [
        "docs/dependency-injection.md",
        "docs/getting-started.md",
        "docs/local-models.md",
        "docs/pgvector.md",
        "docs/zh/quickstart.md",
        "docs/concepts/agents.md",
        "docs/concepts/chains.md",
        "docs/concepts/indexes.md",
        "docs/concepts/memory.md",
        "docs/concepts/models.md",
        "docs/concepts/prompts.md",
    ];

    private const string UpdateHint =
        "To rewrite the page from the snippets, run: CHAINS_UPDATE_SNIPPETS=1 dotnet test --project tests/Chains.Docs.Tests -- --filter-class '*DocPagesTests'";

    /// <summary>Gets the pages to check: the compiled pages and every other page that shows a snippet.</summary>
    public static TheoryData<string> Pages()
    {
        var pages = new SortedSet<string>(CompiledPages, StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(SnippetSource.DocsRoot, "*.md", SearchOption.AllDirectories))
        {
            var page = DocPage.Load(path);
            if (page.UsesSnippets)
            {
                pages.Add(page.RelativePath);
            }
        }

        return [.. pages];
    }

    [Fact]
    public void SnippetFiles_RegionsAreWellFormedAndUnique()
    {
        var (regions, problems) = SnippetSource.ReadAll();

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.NotEmpty(regions);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Page_CodeBlocks_AreTheCompiledSnippets(string page)
    {
        var path = Path.Combine(SnippetSource.RepoRoot, page);
        Assert.True(File.Exists(path), $"{page} does not exist; it is one of the pages whose code is compiled (DocPagesTests.CompiledPages).");
        var doc = DocPage.Load(path);
        var (regions, _) = SnippetSource.ReadAll();
        var problems = new List<string>(doc.Problems);
        var replacements = new List<(FencedBlock Block, string Text)>();

        foreach (var block in doc.Blocks)
        {
            var line = block.FenceLine + 1;
            if (block.Snippets is null)
            {
                if (block.IsCSharp && !block.NotCompiled)
                {
                    problems.Add($"{page}:{line}: this C# block is not compiled. Move the code into a region of docs/snippets/*.cs " +
                        "and put '<!-- snippet: name -->' on the line above the fence (or '<!-- not-compiled: why -->' for a deliberate fragment).");
                }

                continue;
            }

            if (block.Snippets.Count == 0)
            {
                problems.Add($"{page}:{line - 1}: the snippet marker names no snippet.");
                continue;
            }

            var missing = block.Snippets.Where(n => !regions.ContainsKey(n)).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"{page}:{line - 1}: no snippet named {string.Join(", ", missing.Select(n => $"'{n}'"))} in docs/snippets/*.cs. Known: {string.Join(", ", regions.Keys.Order(StringComparer.Ordinal))}.");
                continue;
            }

            if (!block.IsCSharp)
            {
                problems.Add($"{page}:{line}: a snippet block must be fenced as ```csharp, not ```{block.Language}.");
            }

            var expected = DocPage.Expected(block, regions)!;
            if (block.Content != expected)
            {
                replacements.Add((block, expected));
                var sources = string.Join(", ", block.Snippets.Select(n => $"{regions[n].File}:{regions[n].Line}"));
                problems.Add(new StringBuilder()
                    .Append(page).Append(':').Append(line).Append(": the block differs from snippet ").Append(string.Join(", ", block.Snippets))
                    .Append(" (").Append(sources).Append(").\n")
                    .Append(FirstDifference(block.Content, expected)).Append('\n')
                    .Append("The block must be:\n```csharp\n").Append(expected).Append("\n```")
                    .ToString());
            }
        }

        if (replacements.Count > 0 && UpdateRequested())
        {
            doc.Rewrite(replacements);
            problems.RemoveAll(p => p.Contains("the block differs", StringComparison.Ordinal));
        }

        Assert.True(problems.Count == 0, string.Join("\n\n", problems) + (replacements.Count > 0 ? "\n\n" + UpdateHint : string.Empty));
        Assert.Contains(DocPage.Load(path).Blocks, b => b.Snippets is not null);
    }

    [Fact]
    public void Snippets_EachIsShownOnAPage()
    {
        var (regions, _) = SnippetSource.ReadAll();
        var shown = Directory.EnumerateFiles(SnippetSource.DocsRoot, "*.md", SearchOption.AllDirectories)
            .SelectMany(p => DocPage.Load(p).Blocks)
            .SelectMany(b => b.Snippets ?? [])
            .ToHashSet(StringComparer.Ordinal);

        var unused = regions.Values.Where(r => !shown.Contains(r.Name)).Select(r => $"'{r.Name}' ({r.File}:{r.Line})").ToList();

        Assert.True(unused.Count == 0, $"These snippets are on no page under docs/: {string.Join(", ", unused)}. Show each with '<!-- snippet: name -->' above a ```csharp block, or delete it.");
    }

    [Fact]
    public void Dedent_RemovesCommonIndentationAndOuterBlankLines()
    {
        var text = SnippetSource.Dedent(["", "        var a = 1;  ", "", "            Use(a);", "        // 完成", ""]);

        Assert.Equal("var a = 1;\n\n    Use(a);\n// 完成", text);
    }

    [Fact]
    public void Parse_ReportsUnclosedUnopenedAndBadlyNamedRegions()
    {
        var problems = new List<string>();
        var source = "// <snippet:ok>\nA();\n// </snippet:ok>\n// <snippet:open>\n// </snippet:never-opened>\n// <snippet:Bad_Name>\n";

        var regions = SnippetSource.Parse("x.cs", source, problems);

        Assert.Equal("A();", Assert.Single(regions).Text);
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("'open' is never closed", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'// </snippet:never-opened>' closes a snippet that is not open", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'Bad_Name' is not a snippet name", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ReadsMarkedUnmarkedAndFragmentBlocksAndReportsAMisplacedMarker()
    {
        var path = Path.Combine(Path.GetTempPath(), $"chains-docs-{Guid.NewGuid():N}.md");
        File.WriteAllText(path, string.Join('\n',
            "# 页面",
            "<!-- snippet: a, b -->",
            "```csharp",
            "    var x = 1;",
            "```",
            "```csharp",
            "Unmarked();",
            "```",
            "<!-- not-compiled: a fragment -->",
            "```cs",
            "partial();",
            "```",
            "<!-- snippet: lost -->",
            "",
            "```bash",
            "<!-- snippet: inside-a-fence -->",
            "```",
            ""));
        try
        {
            var page = DocPage.Load(path);

            Assert.Equal(4, page.Blocks.Count);
            Assert.Equal(["a", "b"], page.Blocks[0].Snippets!);
            Assert.Equal("var x = 1;", page.Blocks[0].Content);
            Assert.True(page.Blocks[1].IsCSharp);
            Assert.Null(page.Blocks[1].Snippets);
            Assert.True(page.Blocks[2].NotCompiled);
            Assert.Equal("bash", page.Blocks[3].Language);
            Assert.Null(page.Blocks[3].Snippets);
            var problem = Assert.Single(page.Problems);
            Assert.Contains(":13: the marker '<!-- snippet: lost -->' must sit on the line directly above", problem, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static bool UpdateRequested()
        => Environment.GetEnvironmentVariable("CHAINS_UPDATE_SNIPPETS") == "1"
            && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static string FirstDifference(string actual, string expected)
    {
        var a = actual.Split('\n');
        var e = expected.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, e.Length); i++)
        {
            var left = i < a.Length ? a[i] : "(end of block)";
            var right = i < e.Length ? e[i] : "(end of snippet)";
            if (left != right)
            {
                return $"First difference at block line {i + 1}:\n  page:    {left}\n  snippet: {right}";
            }
        }

        return "The texts differ only in line endings.";
    }
}
