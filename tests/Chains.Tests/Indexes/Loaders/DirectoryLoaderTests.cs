using System.Runtime.CompilerServices;
using Chains.Indexes;
using Chains.Indexes.Loaders;

namespace Chains.Tests.Indexes.Loaders;

public sealed class DirectoryLoaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public DirectoryLoaderTests()
    {
        _folder.Write("b.txt", "bee");
        _folder.Write("A.txt", "upper a");
        _folder.Write("docs/guide.md", "# Guide\n\nRead me.\n");
        _folder.Write("docs/zh.txt", "中文文本。", TempFolder.Gbk);
        _folder.Write("data/items.json", """[{"t":"one"},{"t":"two"}]""");
        _folder.Write("data/broken.json", "{ not json");
        _folder.Write("bin/skip.txt", "excluded");
        _folder.Write("image.png", "not text");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task LoadAsync_Defaults_RelativeIdsInOrdinalOrderAndFailuresReported()
    {
        var failures = new List<FileLoadFailure>();
        var loader = new DirectoryLoader(_folder.Path, new DirectoryLoaderOptions { Exclude = ["bin/**"], OnError = failures.Add });

        var documents = await loader.LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["A.txt", "b.txt", "data/items.json#$", "docs/guide.md#section-0", "docs/zh.txt"], documents.Select(d => d.Id));
        Assert.Equal("docs/zh.txt", documents[4].Source);
        Assert.Equal("docs/zh.txt", documents[4].Metadata.GetString(DocumentMetadataKeys.Source));
        Assert.Equal("中文文本。", documents[4].Content);
        Assert.Equal("Guide", documents[3].Metadata.GetString("h1"));
        var failure = Assert.Single(failures);
        Assert.Equal("data/broken.json", failure.SourceName);
        Assert.Equal(Path.Combine(_folder.Path, "data", "broken.json"), failure.Path);
        Assert.IsType<InvalidDataException>(failure.Exception);
    }

    [Fact]
    public async Task LoadAsync_IncludeGlobs_OnlyMatchingFiles()
    {
        var loader = new DirectoryLoader(_folder.Path, new DirectoryLoaderOptions { Include = ["**/*.md", "*.TXT"] });

        var documents = await loader.LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["A.txt", "b.txt", "docs/guide.md#section-0"], documents.Select(d => d.Id));
    }

    [Fact]
    public async Task LoadAsync_StopOnError_ThrowsNamingFileAfterEarlierDocuments()
    {
        var loaded = new List<string>();
        var loader = new DirectoryLoader(_folder.Path, new DirectoryLoaderOptions { Include = ["data/*.json"], StopOnError = true });

        var error = await Assert.ThrowsAsync<DocumentLoadException>(async () =>
        {
            await foreach (var document in loader.LoadAsync(Ct))
            {
                loaded.Add(document.Id);
            }
        });

        Assert.Equal("data/broken.json", error.SourceName);
        Assert.Contains("data/broken.json", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(error.InnerException);
        Assert.Empty(loaded); // broken.json sorts before items.json
    }

    [Fact]
    public async Task LoadAsync_NoErrorCallback_LoadsTheRestThenThrowsNamingEveryFailure()
    {
        var loaded = new List<string>();
        var loader = new DirectoryLoader(_folder.Path, new DirectoryLoaderOptions { Include = ["data/*.json"] });

        var error = await Assert.ThrowsAsync<DocumentLoadException>(async () =>
        {
            await foreach (var document in loader.LoadAsync(Ct))
            {
                loaded.Add(document.Id);
            }
        });

        Assert.NotEmpty(loaded); // items.json, after the broken file, was still loaded
        Assert.All(loaded, id => Assert.StartsWith("data/items.json", id, StringComparison.Ordinal));
        Assert.Equal("data/broken.json", error.SourceName);
        Assert.Contains("1 file(s) failed", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(Assert.Single(Assert.IsType<AggregateException>(error.InnerException).InnerExceptions));
    }

    [Fact]
    public async Task LoadAsync_CustomRegistry_UsesItsLoadersAndSnapshotsIt()
    {
        var registry = new DocumentLoaderRegistry().Register(".png", f => new NamedLoader(f.SourceName));
        var loader = new DirectoryLoader(_folder.Path, new DirectoryLoaderOptions { Loaders = registry });
        registry.Register(".txt", f => new NamedLoader(f.SourceName));

        var documents = await loader.LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["image.png"], documents.Select(d => d.Id));
    }

    [Fact]
    public async Task LoadAsync_FactoryThrows_ReportedAndLoadingContinues()
    {
        var failures = new List<FileLoadFailure>();
        var registry = DocumentLoaderRegistry.CreateDefault().Register(".md", _ => throw new NotSupportedException("no markdown today"));
        var loader = new DirectoryLoader(_folder.Path, new DirectoryLoaderOptions { Include = ["docs/*"], Loaders = registry, OnError = failures.Add });

        var documents = await loader.LoadAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["docs/zh.txt"], documents.Select(d => d.Id));
        Assert.Equal("no markdown today", Assert.Single(failures).Exception.Message);
    }

    [Fact]
    public async Task LoadAsync_Cancelled_StopsWithoutReportingFailure()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var failures = new List<FileLoadFailure>();
        var loader = new DirectoryLoader(_folder.Path, new DirectoryLoaderOptions { OnError = failures.Add });
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in loader.LoadAsync(cts.Token))
            {
                seen++;
                await cts.CancelAsync();
            }
        });

        Assert.Equal(1, seen);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task LoadAsync_MissingFolder_ThrowsDirectoryNotFound()
    {
        var loader = new DirectoryLoader(Path.Combine(_folder.Path, "nope"));

        await Assert.ThrowsAsync<DirectoryNotFoundException>(async () => await loader.LoadAsync(Ct).ToListAsync(Ct));
    }

    [Fact]
    public void Constructor_NoIncludePatterns_Throws()
    {
        Assert.Throws<ArgumentException>(() => new DirectoryLoader(_folder.Path, new DirectoryLoaderOptions { Include = [] }));
        Assert.Throws<ArgumentException>(() => new DirectoryLoader(_folder.Path, new DirectoryLoaderOptions { Exclude = [""] }));
        Assert.Throws<ArgumentException>(() => new DirectoryLoader(""));
    }

    private sealed class NamedLoader(string name) : IDocumentLoader
    {
        public async IAsyncEnumerable<Document> LoadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return new Document(name, "custom");
        }
    }
}
