using Chains.LLamaSharp.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Chains.LLamaSharp.Tests;

public sealed class LlamaNativeLibraryTests
{
    [Fact]
    public void Configure_AfterTheLibraryLoaded_ThrowsAClearError()
    {
        using (TestModels.Load())
        {
        }

        var ex = Assert.Throws<InvalidOperationException>(() => LlamaNativeLibrary.Configure(new LlamaBackendOptions { Backend = LlamaBackend.Cpu }));

        Assert.True(LlamaNativeLibrary.IsLoaded);
        Assert.Contains("already loaded", ex.Message, StringComparison.Ordinal);
        Assert.Contains("before the first LlamaModel", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_MissingCustomLibrary_ThrowsFileNotFoundException()
    {
        var path = Path.Combine(TinyModel.Directory, "libllama-custom.so");

        var ex = Assert.Throws<FileNotFoundException>(() => LlamaNativeLibrary.Configure(new LlamaBackendOptions { LibraryPath = path }));

        Assert.Equal(path, ex.FileName);
    }

    [Fact]
    public void Configure_MissingSearchDirectory_ThrowsDirectoryNotFoundException()
        => Assert.Throws<DirectoryNotFoundException>(() => LlamaNativeLibrary.Configure(new LlamaBackendOptions { SearchDirectories = [Path.Combine(TinyModel.Directory, "no-such-dir")] }));

    [Fact]
    public void SetLogger_ModelLoad_RoutesLlamaCppLogLinesIntoTheLogger()
    {
        var collector = new FakeLogCollector();
        LlamaNativeLibrary.SetLogger(new FakeLogger(collector));
        try
        {
            using var model = TestModels.Load();
        }
        finally
        {
            LlamaNativeLibrary.SetLogger(null);
        }

        var records = collector.GetSnapshot();
        Assert.Contains(records, r => r.Message.Contains("llama_model_loader", StringComparison.Ordinal) && r.Level == LogLevel.Information);
        Assert.All(records, r => Assert.False(r.Message.EndsWith('\n'), "log lines are split per line"));
    }

    [Fact]
    public void DescribeLoadedLibrary_CpuBackend_NamesTheBuildAndHasNoGpuOffload()
    {
        Assert.Contains("AvxLevel", LlamaNativeLibrary.DescribeLoadedLibrary(), StringComparison.Ordinal);
        Assert.False(LlamaNativeLibrary.SupportsGpuOffload());
    }
}
