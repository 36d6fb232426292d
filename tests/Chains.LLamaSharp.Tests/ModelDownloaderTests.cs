using System.Security.Cryptography;
using Chains.LLamaSharp.Tests.Support;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Tests;

public sealed class ModelDownloaderTests : IDisposable
{
    private static readonly byte[] Model = File.ReadAllBytes(TinyModel.DefaultPath);
    private static readonly string ModelSha = Convert.ToHexStringLower(SHA256.HashData(Model));
    private readonly string _cache = Path.Combine(TinyModel.Directory, "cache-" + Guid.NewGuid().ToString("N"));
    private readonly HttpClient _http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task DownloadAsync_InterruptedTransfer_ResumesWithRangeVerifiesAndLoads()
    {
        using var server = new LoopbackFileServer(Model, dropFirstAfter: 100_000);
        var downloader = new ModelDownloader(_http, _cache, new ModelDownloaderOptions { RetryDelay = TimeSpan.Zero });
        var reports = new List<ModelDownloadProgress>();

        var path = await downloader.DownloadAsync(new Uri(server.BaseAddress, "models/tiny.gguf"), ModelSha, new SynchronousProgress<ModelDownloadProgress>(reports.Add), Ct);

        Assert.Equal(Model, await File.ReadAllBytesAsync(path, Ct));
        Assert.False(File.Exists(path + ".partial"));
        var ranges = server.Ranges.ToList();
        Assert.Equal(2, ranges.Count);
        Assert.Equal(string.Empty, ranges[0]);
        Assert.Matches("^bytes=[1-9][0-9]*-$", ranges[1]);
        Assert.Contains(reports, r => r.Resumed);
        Assert.Equal(Model.Length, reports[^1].BytesReceived);
        Assert.Equal(Model.Length, reports[^1].TotalBytes);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.BytesReceived >= p.First.BytesReceived || p.Second.Resumed));

        using var model = LlamaModel.Load(path, TestModels.Options());
        var response = await model.AsChatClient().GetResponseAsync("Hi", new ChatOptions { MaxOutputTokens = 2 }, Ct);
        Assert.NotNull(response.FinishReason);
    }

    [Fact]
    public async Task DownloadAsync_AttemptsExhausted_KeepsThePartialFileAndTheNextCallResumes()
    {
        using var server = new LoopbackFileServer(Model, dropFirstAfter: 200_000);
        var downloader = new ModelDownloader(_http, _cache, new ModelDownloaderOptions { MaxAttempts = 1 });
        var url = new Uri(server.BaseAddress, "models/tiny.gguf");

        await Assert.ThrowsAnyAsync<IOException>(() => downloader.DownloadAsync(url, ModelSha, null, Ct));
        var partial = downloader.GetCachePath(url) + ".partial";
        Assert.True(File.Exists(partial));
        Assert.False(File.Exists(downloader.GetCachePath(url)));

        var path = await downloader.DownloadAsync(url, ModelSha, null, Ct);

        Assert.Equal(ModelSha, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path, Ct))));
        Assert.StartsWith("bytes=", server.Ranges.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadAsync_AlreadyCached_MakesNoRequest()
    {
        using var server = new LoopbackFileServer(Model);
        var downloader = new ModelDownloader(_http, _cache);
        var url = new Uri(server.BaseAddress, "models/tiny.gguf");

        var first = await downloader.DownloadAsync(url, ModelSha, null, Ct);
        var second = await downloader.DownloadAsync(url, ModelSha, null, Ct);
        var unchecked_ = await downloader.DownloadAsync(url, null, null, Ct);

        Assert.Equal(first, second);
        Assert.Equal(first, unchecked_);
        Assert.Single(server.Ranges);
    }

    [Fact]
    public async Task DownloadAsync_WrongSha256_ThrowsAndDiscardsTheDownload()
    {
        using var server = new LoopbackFileServer(Model);
        var downloader = new ModelDownloader(_http, _cache);
        var url = new Uri(server.BaseAddress, "models/tiny.gguf");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => downloader.DownloadAsync(url, new string('0', 64), null, Ct));

        Assert.Contains(ModelSha, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(downloader.GetCachePath(url)));
        Assert.False(File.Exists(downloader.GetCachePath(url) + ".partial"));
    }

    [Fact]
    public async Task DownloadAsync_MissingFile_ThrowsHttpRequestExceptionWithoutRetrying()
    {
        using var server = new LoopbackFileServer(Model);
        var downloader = new ModelDownloader(_http, _cache, new ModelDownloaderOptions { RetryDelay = TimeSpan.Zero });

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => downloader.DownloadAsync(new Uri(server.BaseAddress, "models/missing.bin"), null, null, Ct));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Single(server.Ranges);
    }

    [Fact]
    public async Task GetCachePath_SameNameFromTwoSources_GivesDifferentFiles()
    {
        var downloader = new ModelDownloader(_http, _cache);

        var a = downloader.GetCachePath(new Uri("https://a.example/models/model.Q4_K_M.gguf"));
        var b = downloader.GetCachePath(new Uri("https://b.example/models/model.Q4_K_M.gguf"));

        Assert.NotEqual(a, b);
        Assert.EndsWith("-model.Q4_K_M.gguf", a, StringComparison.Ordinal);
        Assert.StartsWith(downloader.CacheDirectory, a, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => downloader.GetCachePath(new Uri("file:///tmp/x.gguf")));
        await Assert.ThrowsAsync<ArgumentException>(() => downloader.DownloadAsync(new Uri("https://a.example/x.gguf"), "abc", null, Ct));
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
