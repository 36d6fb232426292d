using Chains.LLamaSharp;

namespace Chains.LLamaSharp.Tests.Support;

/// <summary>Loads the generated test model with test-friendly options (one thread: the CI machine has two cores).</summary>
internal static class TestModels
{
    public static LlamaModel Load(LlamaModelOptions? options = null, string? path = null)
        => LlamaModel.Load(path ?? TinyModel.DefaultPath, options ?? Options());

    public static LlamaModelOptions Options(int contextSize = 512, int sequences = 2, int? seed = null)
        => new() { ContextSize = contextSize, MaxConcurrentRequests = sequences, Threads = 1, BatchSize = 256, Seed = seed };
}
