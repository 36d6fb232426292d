using Chains.LLamaSharp.Tests.Support;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Tests;

public sealed class LlamaModelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, LlamaModelOptions> InvalidOptions => new()
    {
        { "ContextSize", new LlamaModelOptions { ContextSize = 8 } },
        { "MaxConcurrentRequests", new LlamaModelOptions { MaxConcurrentRequests = 0 } },
        { "MainGpu", new LlamaModelOptions { MainGpu = -1 } },
        { "TensorSplit", new LlamaModelOptions { TensorSplit = [1f, -1f] } },
        { "Threads", new LlamaModelOptions { Threads = 0 } },
        { "BatchSize", new LlamaModelOptions { BatchSize = 0 } },
        { "MicroBatchSize", new LlamaModelOptions { BatchSize = 64, MicroBatchSize = 128 } },
    };

    [Fact]
    public void Load_GeneratedModel_ExposesItsIdentityAndSize()
    {
        using var model = TestModels.Load();

        Assert.Equal("tiny-test-llama", model.ModelId);
        Assert.Equal("llama", model.Info.Architecture);
        Assert.Equal(311, model.VocabularySize);
        Assert.Equal(512, model.ContextSize);
        Assert.Equal(0, model.GpuLayerCount);
        Assert.False(model.NativeHandle.IsInvalid);
        Assert.Equal(default, model.GetStatistics());
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFoundException()
        => Assert.Throws<FileNotFoundException>(() => LlamaModel.Load(Path.Combine(TinyModel.Directory, "nope.gguf")));

    [Fact]
    public void Load_FileThatIsNotGguf_ThrowsGgufFormatExceptionBeforeTheNativeLoader()
    {
        var path = Path.Combine(TinyModel.Directory, "model.safetensors");
        File.WriteAllBytes(path, [0x08, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}']);

        var ex = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(path));

        Assert.Contains("not a GGUF file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TruncatedDownload_ThrowsGgufFormatException()
    {
        var path = Path.Combine(TinyModel.Directory, "truncated.gguf");
        var bytes = File.ReadAllBytes(TinyModel.DefaultPath);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 4096).ToArray());

        var ex = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(path));

        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownArchitecture_ThrowsUnsupportedModelArchitectureException()
    {
        var path = TinyModel.Write(new TinyModelSpec { Architecture = "notarealarch" }, "unknown-arch.gguf");

        var ex = Assert.Throws<UnsupportedModelArchitectureException>(() => LlamaModel.Load(path));

        Assert.Equal("notarealarch", ex.Architecture);
        Assert.Contains("notarealarch", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LoraAdapterInsteadOfAModel_ThrowsUnsupportedModelArchitectureException()
    {
        var path = TinyModel.WriteLora("adapter-as-model.gguf");

        var ex = Assert.Throws<UnsupportedModelArchitectureException>(() => LlamaModel.Load(path));

        Assert.Contains("LoraAdapters", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ContextLargerThanTheModels_ThrowsNamingBoth()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => LlamaModel.Load(TinyModel.DefaultPath, new LlamaModelOptions { ContextSize = 4096 }));

        Assert.Contains("ContextSize 4096", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2048", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Load_InvalidOption_MessageNamesIt(string name, LlamaModelOptions options)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => LlamaModel.Load(TinyModel.DefaultPath, options));

        Assert.Contains("LlamaModelOptions." + name, ex.Message, StringComparison.Ordinal);
        Assert.Equal("options", ex.ParamName);
    }

    [Fact]
    public void Load_AutoGpuLayers_ResolvesFromTheMemoryEstimate()
    {
        using var roomy = LlamaModel.Load(TinyModel.DefaultPath, new LlamaModelOptions { ContextSize = 256, Threads = 1, GpuLayers = GpuLayers.Auto(1L << 30) });
        using var tight = LlamaModel.Load(TinyModel.DefaultPath, new LlamaModelOptions { ContextSize = 256, Threads = 1, GpuLayers = GpuLayers.Auto(1024) });
        using var all = LlamaModel.Load(TinyModel.DefaultPath, new LlamaModelOptions { ContextSize = 256, Threads = 1, GpuLayers = GpuLayers.All });

        Assert.Equal(3, roomy.GpuLayerCount);
        Assert.Equal(0, tight.GpuLayerCount);
        Assert.Equal(3, all.GpuLayerCount);
    }

    [Fact]
    public async Task LoadAsync_ReportsProgressToCompletion()
    {
        var progress = new List<float>();

        using var model = await LlamaModel.LoadAsync(TinyModel.DefaultPath, TestModels.Options(), new SynchronousProgress(progress.Add), Ct);

        Assert.NotEmpty(progress);
        Assert.Equal(1f, progress[^1]);
        Assert.All(progress, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public async Task LoadAsync_CancelledToken_ThrowsOperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LlamaModel.LoadAsync(TinyModel.DefaultPath, TestModels.Options(), null, cts.Token));
    }

    [Fact]
    public async Task Load_NonDefaultOptions_LoadsAndGenerates()
    {
        var options = new LlamaModelOptions
        {
            ContextSize = 128,
            MaxConcurrentRequests = 1,
            Threads = 1,
            BatchThreads = 1,
            BatchSize = 64,
            MicroBatchSize = 32,
            FlashAttention = true,
            UseMemoryMap = false,
            SplitMode = LLama.Native.GPUSplitMode.None,
            TensorSplit = [1f],
            Seed = 5,
        };
        using var model = LlamaModel.Load(TinyModel.DefaultPath, options);

        var response = await model.AsChatClient().GetResponseAsync("Hi", new ChatOptions { MaxOutputTokens = 3 }, Ct);

        Assert.NotNull(response.FinishReason);
    }

    [Fact]
    public void CountTokens_Text_CountsTheModelsTokens()
    {
        using var model = TestModels.Load();

        Assert.Equal(0, model.CountTokens(""));
        Assert.Equal(5, model.CountTokens("hello"));
        Assert.Equal(6, model.CountTokens("你好"));
        Assert.Equal(12, model.CountTokens("<|im_start|>"));
    }

    [Fact]
    public async Task Load_WithLoraAdapter_ChangesOutputByScale()
    {
        var lora = TinyModel.WriteLora("lora-strong.gguf", alpha: 64);
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 16 };

        using var plain = TestModels.Load();
        var plainText = (await plain.AsChatClient().GetResponseAsync("Hello", options, Ct)).Text;
        using var zero = LlamaModel.Load(TinyModel.DefaultPath, WithLora(lora, 0f));
        using var full = LlamaModel.Load(TinyModel.DefaultPath, WithLora(lora, 1f));

        Assert.Equal(plainText, (await zero.AsChatClient().GetResponseAsync("Hello", options, Ct)).Text);
        Assert.NotEqual(plainText, (await full.AsChatClient().GetResponseAsync("Hello", options, Ct)).Text);
    }

    [Fact]
    public void Load_LoraForAnotherBaseModel_ThrowsArgumentException()
    {
        var lora = TinyModel.WriteLora("lora-wide.gguf", spec: new TinyModelSpec { EmbeddingLength = 96, HeadCount = 4 });

        var ex = Assert.Throws<ArgumentException>(() => LlamaModel.Load(TinyModel.DefaultPath, WithLora(lora, 1f)));

        Assert.Contains("another base model", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingLora_ThrowsFileNotFoundException()
        => Assert.Throws<FileNotFoundException>(() => LlamaModel.Load(TinyModel.DefaultPath, WithLora(Path.Combine(TinyModel.Directory, "no-lora.gguf"), 1f)));

    [Fact]
    public void Dispose_Twice_IsSafeAndLaterUseThrows()
    {
        var model = TestModels.Load();
        model.Dispose();
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.AsChatClient());
        Assert.Throws<ObjectDisposedException>(() => model.CountTokens("x"));
    }

    private static LlamaModelOptions WithLora(string path, float scale) => new()
    {
        ContextSize = 512,
        MaxConcurrentRequests = 1,
        Threads = 1,
        LoraAdapters = [new LlamaLoraAdapter(path, scale)],
    };

    private sealed class SynchronousProgress(Action<float> report) : IProgress<float>
    {
        public void Report(float value) => report(value);
    }
}
