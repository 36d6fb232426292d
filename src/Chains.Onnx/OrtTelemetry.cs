using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Chains.Onnx;

/// <summary>
/// Turns ONNX Runtime's telemetry off before the native library starts: <c>ORT_DISABLE_TELEMETRY=1</c> in the native
/// process environment, then <see cref="OrtEnv.DisableTelemetryEvents"/>.
/// </summary>
/// <remarks>
/// On Unix, <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only .NET's copy of the
/// environment, which native code never sees, so the variable is also set with the C library's <c>setenv</c>.
/// </remarks>
internal static partial class OrtTelemetry
{
    /// <summary>The environment variable ONNX Runtime reads when it starts.</summary>
    internal const string VariableName = "ORT_DISABLE_TELEMETRY";

    private static readonly Lazy<bool> Disabled = new(DisableOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Disables telemetry (once per process); call before any other ONNX Runtime API.</summary>
    /// <returns><see langword="true"/> when the native environment variable was set too (always on Windows).</returns>
    internal static bool Disable() => Disabled.Value;

    private static bool DisableOnce()
    {
        Environment.SetEnvironmentVariable(VariableName, "1");
        var native = OperatingSystem.IsWindows() || TrySetNative(VariableName, "1");

        // Creating the environment loads the native library, which has read the variable by now.
        OrtEnv.Instance().DisableTelemetryEvents();
        return native;
    }

    private static bool TrySetNative(string name, string value)
    {
        try
        {
            return SetEnv(name, value, 1) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No C library under that name (unusual runtimes): the OrtEnv call above still turns telemetry events off.
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
