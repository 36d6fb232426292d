using Chains.LLamaSharp;
using Chains.LLamaSharp.Tests.Support;

namespace Chains.Docs.Tests.Support;

/// <summary>
/// The test classes whose snippets run llama.cpp on the tiny generated GGUF. They run one after another (llama.cpp's
/// threads would only thrash each other on a small machine) and share one loaded model with one thread.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LlamaCollection : ICollectionFixture<TinyLlama>
{
    public const string Name = "Llama";
}

/// <summary>The tiny llama-architecture model (random weights: gibberish text, every code path real), loaded once.</summary>
public sealed class TinyLlama : IDisposable
{
    /// <summary>Gets the path of the default tiny model (2,048-token trained context, ChatML template).</summary>
    public static string Path => TinyModel.DefaultPath;

    /// <summary>Gets the loaded model: one thread, 1,024 tokens for each of two sequences.</summary>
    public LlamaModel Model { get; } = LlamaModel.Load(TinyModel.DefaultPath, new LlamaModelOptions
    {
        ContextSize = 1024,
        MaxConcurrentRequests = 2,
        Threads = 1,
        BatchSize = 256,
    });

    /// <summary>Writes a tiny model whose header declares a longer trained context (the weights are the same size).</summary>
    /// <param name="path">Where to write it.</param>
    /// <param name="contextLength">The trained context it declares.</param>
    /// <returns><paramref name="path"/>.</returns>
    public static string WriteLongContext(string path, int contextLength = 32768)
    {
        TinyModel.CreateWriter(new TinyModelSpec { ContextLength = contextLength }).Write(path);
        return path;
    }

    public void Dispose() => Model.Dispose();
}
