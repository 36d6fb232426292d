using System.Runtime.InteropServices;

namespace Chains.Testing.Processes;

/// <summary>Finds the <c>dotnet</c> executable that runs the current tests, for tests that start a child process.</summary>
public static class DotNetHost
{
    /// <summary>Gets the path of the <c>dotnet</c> host: DOTNET_HOST_PATH when the SDK set it, else the host next to
    /// the running runtime, else <c>dotnet</c> from PATH.</summary>
    public static string Executable { get; } = Find();

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
