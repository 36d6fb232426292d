namespace Chains.Docs.Tests.Support;

/// <summary>
/// Test classes that run a snippet in an app folder made the current directory (the pages resolve relative paths
/// such as <c>models/…gguf</c> and <c>data/history</c> against it) and set environment variables, both process-wide:
/// they run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CurrentDirectoryCollection
{
    public const string Name = "CurrentDirectory";
}
