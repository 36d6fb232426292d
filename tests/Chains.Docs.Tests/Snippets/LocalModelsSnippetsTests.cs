using System.Numerics.Tensors;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chains.Docs.Snippets;
using Chains.Docs.Tests.Pages;
using Chains.Docs.Tests.Support;
using Chains.LLamaSharp;
using Chains.LLamaSharp.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chains.Docs.Tests.Snippets;

[Collection(LlamaCollection.Name)]
public sealed class LocalModelsSnippetsTests(TinyLlama tiny) : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("chains-docs-llama-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task Quickstart_LoadsWithTheOptionsStreamsWholeCharactersAndOffloadsWhatFits()
    {
        var path = TinyLlama.WriteLongContext(Path.Combine(_folder.FullName, "qwen2.5-3b-instruct-q4_k_m.gguf"));

        var (gpuLayers, statistics) = await LocalModelsSnippets.QuickstartAsync(path);

        Assert.True(statistics.GeneratedTokens > 0, "the model generated nothing");
        Assert.True(statistics.EvaluatedTokens > 0, "the prompt was not evaluated");
        Assert.DoesNotContain('\uFFFD', Output.Current);
        Assert.Equal(LlamaMemoryEstimator.GpuLayersThatFit(GgufModelInfo.Read(path), 8192 * 4, 6L << 30), gpuLayers);
    }

    [Fact]
    public void Backend_ConfiguredAfterTheLibraryLoaded_ThrowsInvalidOperationSayingWhenToCallIt()
    {
        Assert.True(tiny.Model.VocabularySize > 0);   // the native library is loaded by now
        Assert.True(LlamaNativeLibrary.IsLoaded);

        var ex = Assert.Throws<InvalidOperationException>(() => LocalModelsSnippets.ConfigureBackend(NullLoggerFactory.Instance));

        Assert.Contains("already loaded", ex.Message, StringComparison.Ordinal);
        Assert.Contains("before the first LlamaModel is loaded", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeaderAndErrors_ReadsTheHeaderAndTurnsBadFilesAndContextsIntoTypedMessages()
    {
        var page = Path.Combine(_folder.FullName, "model.gguf");
        await File.WriteAllTextAsync(page, "<!DOCTYPE html><html><body>404 Not Found</body></html>", TestContext.Current.CancellationToken);

        var info = LocalModelsSnippets.HeaderAndErrors(TinyLlama.Path, page);

        Assert.Equal("llama", info.Architecture);
        Assert.Equal(2048, info.ContextLength);
        Assert.Equal(2, info.BlockCount);
        var output = Output.Current;
        Assert.Contains($"llama, {info.ParameterCount:N0} parameters, {info.Quantization}, 2 layers, trained context 2048, template: True", output, StringComparison.Ordinal);
        Assert.Contains("LlamaModelOptions.ContextSize 4096 exceeds the 2048-token context", output, StringComparison.Ordinal);
        Assert.Contains($"'{page}' is not a GGUF file", output, StringComparison.Ordinal);
    }

    [Fact]
    public void MemoryEstimate_Llama7BTableIsThePagesTableAndAPartialOffloadFits()
    {
        var path = LlamaShapes.Llama2_7B("docs-llama2-7b.gguf");

        var (table, layers) = LocalModelsSnippets.MemoryEstimate(path);

        Assert.Equal(["F16", "Q8_0", "Q4_K_M"], table.Select(e => e.Precision));
        Assert.InRange(layers, 1, 31);
        Assert.Contains($"{layers} of 32 layers fit 8 GiB", Output.Current, StringComparison.Ordinal);

        // The page's table holds exactly what the estimator says.
        const double GiB = 1L << 30;
        var rows = PageTableRows();
        Assert.Equal(table.Select(e => $"{e.Precision} | {e.WeightBytes / GiB:0.00} GiB | {e.KvCacheBytes / GiB:0.00} GiB"), rows);
    }

    [Fact]
    public async Task LoadErrors_EachRowOfThePagesTableIsTheExceptionLoadingThrows()
    {
        var missing = Path.Combine(_folder.FullName, "missing.gguf");
        var truncated = Path.Combine(_folder.FullName, "truncated.gguf");
        var bytes = await File.ReadAllBytesAsync(TinyLlama.Path, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)], TestContext.Current.CancellationToken);
        var adapter = TinyModel.WriteLora("docs-adapter-as-model.gguf");

        Assert.Throws<FileNotFoundException>(() => LlamaModel.Load(missing));
        Assert.Contains("truncated", Assert.Throws<GgufFormatException>(() => LlamaModel.Load(truncated)).Message, StringComparison.Ordinal);
        Assert.Contains("adapter", Assert.Throws<UnsupportedModelArchitectureException>(() => LlamaModel.Load(adapter)).Message, StringComparison.Ordinal);
        Assert.Contains("LlamaModelOptions.ContextSize", Assert.Throws<ArgumentOutOfRangeException>(() => LlamaModel.Load(TinyLlama.Path, new LlamaModelOptions { ContextSize = 4096 })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KvReuse_TheSecondTurnReadsTheFirstFromTheCache()
    {
        var before = tiny.Model.GetStatistics();

        var (first, second) = await LocalModelsSnippets.KvReuseAsync(tiny.Model);

        Assert.True(second.Usage!.InputTokenCount > first.Usage!.InputTokenCount);
        Assert.True(second.Usage.CachedInputTokenCount >= first.Usage.InputTokenCount - 1, $"{second.Usage.CachedInputTokenCount} of {second.Usage.InputTokenCount} prompt tokens came from the cache");
        Assert.True(tiny.Model.GetStatistics().ReusedPromptTokens - before.ReusedPromptTokens >= second.Usage.CachedInputTokenCount);
        Assert.Contains($"from the cache", Output.Current, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StructuredOutput_JsonFollowsTheSchemaTheGrammarAllowsOnlyYesOrNoAndABadGrammarIsNamed()
    {
        var (json, yesNo) = await LocalModelsSnippets.StructuredOutputAsync(tiny.Model);

        Assert.Equal(ChatFinishReason.Stop, json.FinishReason);
        using var document = JsonDocument.Parse(json.Text);
        var root = document.RootElement;
        Assert.Equal(["capital", "city", "population"], root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.InRange(root.GetProperty("city").GetString()!.EnumerateRunes().Count(), 0, 24);   // JSON Schema counts code points
        Assert.True(root.GetProperty("population").TryGetInt64(out _), json.Text);
        Assert.True(root.GetProperty("capital").ValueKind is JsonValueKind.True or JsonValueKind.False, json.Text);
        Assert.Contains(yesNo.Text, new[] { "yes", "no" });
        Assert.Contains("'answer'", Output.Current, StringComparison.Ordinal);
        Assert.Matches(@"\(line 1, column \d+\)", Output.Current);
    }

    [Fact]
    public async Task Tools_TheRequiredCallRunsTheMethodAndItsResultGoesBackToTheModel()
    {
        var answer = await LocalModelsSnippets.ToolsAsync(tiny.Model);

        var schema = AIFunctionFactory.Create(typeof(LocalModelsSnippets).GetMethod("GetWeather", BindingFlags.NonPublic | BindingFlags.Static)!, target: null).JsonSchema;
        Assert.Equal(20, schema.GetProperty("properties").GetProperty("city").GetProperty("maxLength").GetInt32());   // keeps the call short
        var call = Assert.IsType<FunctionCallContent>(answer.Messages.SelectMany(m => m.Contents).FirstOrDefault(c => c is FunctionCallContent), exactMatch: false);
        Assert.Equal("GetWeather", call.Name);
        Assert.InRange(Assert.IsType<JsonElement>(call.Arguments!["city"]).GetString()!.EnumerateRunes().Count(), 0, 20);
        var result = answer.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().First(r => r.CallId == call.CallId);
        Assert.StartsWith("Sunny and 24°C in ", result.Result?.ToString(), StringComparison.Ordinal);
        Assert.Contains("GetWeather({\"city\":", Output.Current, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embeddings_UnitVectorsOfTheModelWidthTruncatedAndRenormalisedOnRequest()
    {
        var (vectors, shorter, dimensions) = await LocalModelsSnippets.EmbeddingsAsync(tiny.Model);

        Assert.Equal(64, dimensions);
        Assert.Equal(2, vectors.Count);
        Assert.All(vectors, v =>
        {
            Assert.Equal(64, v.Vector.Length);
            Assert.Equal(1f, TensorPrimitives.Norm(v.Vector.Span), 3);
        });
        Assert.NotEqual(vectors[0].Vector.ToArray(), vectors[1].Vector.ToArray());
        Assert.Equal(16, shorter.Vector.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(shorter.Vector.Span), 3);
        Assert.Contains("2 vectors of 64; truncated to 16", Output.Current, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lora_TheAdapterChangesWhatTheModelSays()
    {
        var adapter = TinyModel.WriteLora("docs-lora.gguf", alpha: 64);
        var greedy = new ChatOptions { Temperature = 0, MaxOutputTokens = 12 };

        var adapted = await LocalModelsSnippets.LoraAsync(TinyLlama.Path, adapter, greedy);

        var plain = await tiny.Model.AsChatClient().GetResponseAsync("Hello", greedy, TestContext.Current.CancellationToken);
        Assert.NotEqual(plain.Text, adapted.Text);
    }

    [Fact]
    public void CountTokens_AChatMessageCountsItsTemplateFramingToo()
    {
        var (text, message) = LocalModelsSnippets.CountTokens(tiny.Model);

        Assert.Equal(tiny.Model.CountTokens("the weather in Paris"), text);
        Assert.True(text > 0);
        Assert.True(message > text, $"{message} tokens as a message, {text} as text");
    }

    [Fact]
    public async Task Download_AnInterruptedTransferResumesAndTheFileIsVerified()
    {
        var content = await File.ReadAllBytesAsync(TinyLlama.Path, TestContext.Current.CancellationToken);
        using var server = new LoopbackFileServer(content, dropFirstAfter: content.Length / 2);
        var url = new Uri(server.BaseAddress, "models/tiny.gguf");

        var path = await LocalModelsSnippets.DownloadAsync(url, Convert.ToHexStringLower(SHA256.HashData(content)), Path.Combine(_folder.FullName, "models"));

        Assert.Equal(content, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
        Assert.StartsWith(Path.Combine(_folder.FullName, "models"), path, StringComparison.Ordinal);
        Assert.Contains(server.Ranges, r => Regex.IsMatch(r, "^bytes=[1-9][0-9]*-$"));
    }

    /// <summary>The "precision | weights | KV cache" rows of the memory table on docs/local-models.md.</summary>
    private static List<string> PageTableRows()
    {
        var lines = File.ReadAllLines(Path.Combine(SnippetSource.RepoRoot, "docs", "local-models.md"));
        var header = Array.FindIndex(lines, l => l.StartsWith("| precision | weights |", StringComparison.Ordinal));
        Assert.True(header >= 0, "docs/local-models.md has no '| precision | weights | ...' table");
        return [.. lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => string.Join(" | ", l.Trim('|').Split('|').Select(c => c.Trim())))];
    }
}
