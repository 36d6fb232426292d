namespace Chains.Pgvector.Tests;

/// <summary>Unique schema and table names, so test classes running in parallel never share a table.</summary>
internal static class TestNames
{
    /// <summary>Makes a name such as <c>t_store_1a2b3c4d</c>.</summary>
    /// <param name="prefix">A short lowercase prefix.</param>
    /// <returns>The name.</returns>
    public static string Unique(string prefix) => $"t_{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 11)];
}
