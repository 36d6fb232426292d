using System.Runtime.CompilerServices;
using Chains.Indexes;
using Chains.Indexes.Loaders;

namespace Chains.Tests.Indexes.Loaders;

public sealed class DocumentLoaderRegistryTests
{
    [Fact]
    public void CreateDefault_KnowsTheTextFormats()
    {
        var registry = DocumentLoaderRegistry.CreateDefault();

        Assert.Equal([".csv", ".json", ".jsonl", ".log", ".markdown", ".md", ".ndjson", ".text", ".tsv", ".txt"], registry.Extensions);
        Assert.True(registry.TryGetFactory(".md", out var factory));
        Assert.IsType<MarkdownLoader>(factory(new FileLoaderArguments("/x/a.md", "a.md")));
        Assert.True(registry.TryGetFactory("TSV", out factory));
        Assert.IsType<CsvLoader>(factory(new FileLoaderArguments("/x/a.tsv", "a.tsv")));
    }

    [Fact]
    public void Register_ExtensionWithoutDotAnyCase_ReplacesFactory()
    {
        var registry = DocumentLoaderRegistry.CreateDefault();
        var custom = new StaticLoader();

        var returned = registry.Register("TXT", _ => custom);

        Assert.Same(registry, returned);
        Assert.True(registry.TryGetFactory(".txt", out var factory));
        Assert.Same(custom, factory(new FileLoaderArguments("a.txt", "a.txt")));
    }

    [Fact]
    public void TryGetFactory_UnknownExtension_ReturnsFalse()
    {
        Assert.False(new DocumentLoaderRegistry().TryGetFactory(".txt", out var factory));
        Assert.Null(factory);
        Assert.Throws<ArgumentException>(() => new DocumentLoaderRegistry().TryGetFactory(" ", out _));
    }

    private sealed class StaticLoader : IDocumentLoader
    {
        public async IAsyncEnumerable<Document> LoadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return new Document("static", "static");
        }
    }
}
