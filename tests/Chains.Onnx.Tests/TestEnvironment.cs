using System.Runtime.CompilerServices;

namespace Chains.Onnx.Tests;

/// <summary>Runs before any test touches ONNX Runtime, which reads ORT_DISABLE_TELEMETRY once, when it starts.</summary>
/// <remarks>
/// The variable goes into .NET's environment and, through <see cref="OrtTelemetry"/>, into the native one (on Unix
/// .NET keeps a separate copy). CI may also set ORT_DISABLE_TELEMETRY=1 in the job environment.
/// </remarks>
internal static class TestEnvironment
{
#pragma warning disable CA2255 // A module initializer is the only hook that runs before any test loads ONNX Runtime.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void DisableOnnxRuntimeTelemetry()
    {
        Environment.SetEnvironmentVariable(OrtTelemetry.VariableName, "1");
        OrtTelemetry.Disable();
    }
}
