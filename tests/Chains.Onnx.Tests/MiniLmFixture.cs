[assembly: AssemblyFixture(typeof(Chains.Onnx.Tests.MiniLmFixture))]

namespace Chains.Onnx.Tests;

/// <summary>One generator with default options for the whole test assembly (loading the model takes a moment).</summary>
public sealed class MiniLmFixture : IDisposable
{
    public MiniLmEmbeddingGenerator Generator { get; } = new();

    public void Dispose() => Generator.Dispose();
}
