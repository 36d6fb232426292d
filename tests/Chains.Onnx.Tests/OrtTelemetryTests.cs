using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Chains.Onnx.Tests;

public sealed partial class OrtTelemetryTests
{
    [Fact]
    public void Disable_Called_SetsVariableInManagedAndNativeEnvironment()
    {
        var native = OrtTelemetry.Disable();

        Assert.Equal("1", Environment.GetEnvironmentVariable(OrtTelemetry.VariableName));
        Assert.True(native);
        if (!OperatingSystem.IsWindows())
        {
            // What native code (ONNX Runtime) sees, not .NET's copy of the environment.
            Assert.Equal("1", Marshal.PtrToStringUTF8(GetEnv(OrtTelemetry.VariableName)));
        }
    }

    [Fact]
    public void Disable_CalledTwice_IsIdempotentAndLeavesOrtUsable()
    {
        OrtTelemetry.Disable();
        OrtTelemetry.Disable();

        Assert.True(OrtEnv.IsCreated);
        Assert.Contains("CPUExecutionProvider", OrtEnv.Instance().GetAvailableProviders());
    }

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
