namespace Chains.Docs.Tests;

/// <summary>
/// The test classes whose snippets load all-MiniLM-L6-v2 (each snippet creates its own generator, as the pages show).
/// They run one after another: several ONNX Runtime sessions loading and running at once on a small machine only
/// thrash each other's threads, while the other classes still run in parallel with this collection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MiniLmCollection
{
    public const string Name = "MiniLM";
}
