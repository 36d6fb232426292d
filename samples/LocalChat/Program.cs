using System.Globalization;
using Chains.LLamaSharp;
using Microsoft.Extensions.AI;

// Streaming chat with a local GGUF model.
//   dotnet run --project samples/LocalChat -- model.gguf [--gpu-layers none|all|N|auto:GiB] [--ctx N] [--threads N]
//                                          [--max-tokens N] [--seed N] [--system TEXT] [--prompt TEXT]
// With --prompt it answers once and exits; otherwise it reads one user turn per line until an empty line or EOF.
// --seed makes the sampling repeatable: the same seed, prompt and thread count give the same answer.
if (args.Length == 0 || args[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: LocalChat <model.gguf> [--gpu-layers none|all|N|auto:GiB] [--ctx N] [--threads N] [--max-tokens N] [--seed N] [--system TEXT] [--prompt TEXT]");
    return 2;
}

var path = args[0];
string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

var info = GgufModelInfo.Read(path);
var contextSize = int.Parse(Option("--ctx") ?? Math.Min(info.ContextLength, 4096).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
var gpuLayers = (Option("--gpu-layers") ?? "none") switch
{
    "none" => GpuLayers.None,
    "all" => GpuLayers.All,
    var auto when auto.StartsWith("auto:", StringComparison.Ordinal) => GpuLayers.Auto((long)(double.Parse(auto[5..], CultureInfo.InvariantCulture) * (1L << 30))),
    var n => GpuLayers.Count(int.Parse(n, CultureInfo.InvariantCulture)),
};

Console.WriteLine($"Model:    {info}");
Console.WriteLine($"Shape:    {info.BlockCount} layers, {info.EmbeddingLength} wide, {info.HeadCount} heads ({info.HeadCountKv} KV), vocabulary {info.VocabularySize}");
Console.WriteLine($"Template: {(info.ChatTemplate is null ? "none (ChatML)" : "from the GGUF")}");
Console.WriteLine($"Memory at {contextSize} tokens:");
Console.WriteLine($"  as stored  {LlamaMemoryEstimator.Estimate(info, contextSize)}");
foreach (var row in LlamaMemoryEstimator.EstimateTable(info, contextSize))
{
    Console.WriteLine($"  {row}");
}

using var model = await LlamaModel.LoadAsync(
    path,
    new LlamaModelOptions
    {
        ContextSize = contextSize,
        MaxConcurrentRequests = 1,
        GpuLayers = gpuLayers,
        Threads = Option("--threads") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : null,
        Seed = Option("--seed") is { } seed ? int.Parse(seed, CultureInfo.InvariantCulture) : null,
    },
    new LoadProgress());
Console.WriteLine($"Backend:  {LlamaNativeLibrary.DescribeLoadedLibrary()}, GPU layers {model.GpuLayerCount} (requested {gpuLayers})");

using var client = model.AsChatClient();
var options = new ChatOptions { MaxOutputTokens = int.Parse(Option("--max-tokens") ?? "512", CultureInfo.InvariantCulture) };
List<ChatMessage> history = [];
if (Option("--system") is { } system)
{
    history.Add(new ChatMessage(ChatRole.System, system));
}

var single = Option("--prompt");
while (true)
{
    string? line;
    if (single is not null)
    {
        line = single;
        Console.WriteLine($"> {line}");
    }
    else
    {
        Console.Write("> ");
        line = Console.ReadLine();
    }

    if (string.IsNullOrWhiteSpace(line))
    {
        break;
    }

    history.Add(new ChatMessage(ChatRole.User, line));
    var updates = new List<ChatResponseUpdate>();
    await foreach (var update in client.GetStreamingResponseAsync(history, options))
    {
        Console.Write(update.Text);
        updates.Add(update);
    }

    var response = updates.ToChatResponse();
    history.AddRange(response.Messages);
    var usage = response.Usage;
    Console.WriteLine();
    Console.WriteLine($"[{response.FinishReason}; {usage?.InputTokenCount} prompt tokens ({usage?.CachedInputTokenCount} cached), {usage?.OutputTokenCount} generated]");
    if (single is not null)
    {
        break;
    }
}

return 0;

/// <summary>Shows how far the model load is, one line per tenth (loading a large model takes a while).</summary>
internal sealed class LoadProgress : IProgress<float>
{
    private int _shown = -1;

    public void Report(float value)
    {
        var tenth = (int)(value * 10);
        if (tenth > _shown)
        {
            _shown = tenth;
            Console.WriteLine($"Loading:  {tenth * 10,3}%");
        }
    }
}
