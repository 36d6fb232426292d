using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Chains.LLamaSharp;

/// <summary>
/// Chooses and observes the native llama.cpp library: which backend (CPU, CUDA, Vulkan) or custom build to load, and
/// where llama.cpp's log goes. The library loads once per process, on the first model load (or the first LLamaSharp
/// call); backend choices must be made before that.
/// </summary>
/// <remarks>
/// <para>The app references the backend packages it wants (<c>LLamaSharp.Backend.Cpu</c>, <c>.Cuda12</c>, <c>.Vulkan</c>);
/// without a call to <see cref="Configure"/> LLamaSharp picks the best one present (CUDA, then Vulkan, then the CPU build
/// for the processor's AVX level).</para>
/// <para>llama.cpp's log is silent unless a logger is set: library code does not write to the console.</para>
/// </remarks>
public static class LlamaNativeLibrary
{
    private static readonly Lock Gate = new();
    private static ILogger? s_logger;
    private static bool s_callbackInstalled;

    /// <summary>Gets whether the native library has been loaded (after which <see cref="Configure"/> throws).</summary>
    public static bool IsLoaded => NativeLibraryConfig.LLama.LibraryHasLoaded;

    /// <summary>Chooses the native library to load. Call once, at start-up, before loading any model.</summary>
    /// <param name="options">The backend preference, custom library path, search directories and logger.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="FileNotFoundException"><see cref="LlamaBackendOptions.LibraryPath"/> does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">A search directory does not exist.</exception>
    /// <exception cref="InvalidOperationException">The native library has already been loaded in this process.</exception>
    public static void Configure(LlamaBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.LibraryPath is { } path && !File.Exists(path))
        {
            throw new FileNotFoundException($"LlamaBackendOptions.LibraryPath '{path}' does not exist.", path);
        }

        foreach (var directory in options.SearchDirectories)
        {
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"LlamaBackendOptions.SearchDirectories: '{directory}' does not exist.");
            }
        }

        lock (Gate)
        {
            if (IsLoaded)
            {
                throw new InvalidOperationException(
                    "The llama.cpp native library is already loaded in this process, so its backend can no longer be chosen. " +
                    "Call LlamaNativeLibrary.Configure at start-up, before the first LlamaModel is loaded or any other LLamaSharp call.");
            }

            var config = NativeLibraryConfig.All;
            if (options.LibraryPath is not null)
            {
                config.WithLibrary(options.LibraryPath, null);
            }

            config.WithCuda(options.Backend is LlamaBackend.Auto or LlamaBackend.Cuda)
                .WithVulkan(options.Backend is LlamaBackend.Auto or LlamaBackend.Vulkan)
                .WithAutoFallback(options.AllowFallback);
            if (options.SearchDirectories.Count > 0)
            {
                config.WithSearchDirectories(options.SearchDirectories);
            }

            if (options.Logger is not null)
            {
                s_logger = options.Logger;
            }

            InstallCallback();
        }
    }

    /// <summary>Routes llama.cpp's log into <paramref name="logger"/> (one entry per line, llama.cpp's level mapped to
    /// <see cref="LogLevel"/>), or silences it with <see langword="null"/>. Can be called at any time.</summary>
    /// <param name="logger">The logger, or <see langword="null"/> to discard the log.</param>
    public static void SetLogger(ILogger? logger)
    {
        lock (Gate)
        {
            s_logger = logger;
            InstallCallback();
        }
    }

    /// <summary>Gets a description of the loaded native library (backend and AVX level), loading it if needed.</summary>
    /// <returns>The description, e.g. <c>(LLama, UseCuda: False, UseVulkan: False, AvxLevel: Avx512)</c>.</returns>
    public static string DescribeLoadedLibrary()
    {
        EnsureLoaded();
        return NativeApi.GetLoadedNativeLibrary(NativeLibraryName.LLama)?.Metadata?.ToString() ?? "unknown";
    }

    /// <summary>Gets whether the loaded backend can offload layers to a GPU, loading the library if needed.</summary>
    /// <returns><see langword="true"/> for CUDA, Vulkan or Metal builds.</returns>
    public static bool SupportsGpuOffload()
    {
        EnsureLoaded();
        return NativeApi.llama_supports_gpu_offload();
    }

    /// <summary>Loads the native library (installing the log callback first).</summary>
    internal static void EnsureLoaded()
    {
        if (!s_callbackInstalled)
        {
            lock (Gate)
            {
                InstallCallback();
            }
        }

        NativeApi.llama_empty_call();
        if (!s_callbackInstalled)
        {
            lock (Gate)
            {
                InstallCallback();
            }
        }
    }

    /// <summary>Starts collecting the warnings and errors llama.cpp logs on this thread, until the scope is disposed.</summary>
    internal static LogCapture CaptureLog() => new();

    /// <summary>The warnings and errors llama.cpp logged on one thread during a native call.</summary>
    internal sealed class LogCapture : IDisposable
    {
        private readonly List<string>? _previous = LogState.Capture;

        public LogCapture() => LogState.Capture = Lines;

        public List<string> Lines { get; } = [];

        /// <summary>Gets the last lines joined, for an exception message.</summary>
        public string Describe() => Lines.Count == 0 ? "llama.cpp logged no details" : string.Join(" | ", Lines.TakeLast(4));

        public void Dispose() => LogState.Capture = _previous;
    }

    private static void InstallCallback()
    {
        if (s_callbackInstalled && IsLoaded)
        {
            return;
        }

        NativeLogConfig.LLamaLogCallback callback = OnLog;
        if (IsLoaded)
        {
            NativeLogConfig.llama_log_set(callback);
            s_callbackInstalled = true;
        }
        else
        {
            NativeLibraryConfig.All.WithLogCallback(callback);
        }
    }

    private static void OnLog(LLamaLogLevel level, string message)
    {
        var state = LogState.Current;
        if (level != LLamaLogLevel.Continue)
        {
            state.Level = level;
        }

        state.Line.Append(message);
        if (!message.EndsWith('\n'))
        {
            return;
        }

        var line = state.Line.ToString().TrimEnd('\n', '\r');
        state.Line.Clear();
        if (line.Length == 0)
        {
            return;
        }

        if (state.Level is LLamaLogLevel.Error or LLamaLogLevel.Warning && LogState.Capture is { } capture)
        {
            capture.Add(line);
        }

        var logger = s_logger;
        if (logger is null)
        {
            return;
        }

        var logLevel = state.Level switch
        {
            LLamaLogLevel.Error => LogLevel.Error,
            LLamaLogLevel.Warning => LogLevel.Warning,
            LLamaLogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        if (logger.IsEnabled(logLevel))
        {
            Log.NativeMessage(logger, logLevel, line);
        }
    }

    private sealed class LogState
    {
        [ThreadStatic]
        private static LogState? t_current;

        [ThreadStatic]
        private static List<string>? t_capture;

        public static LogState Current => t_current ??= new LogState();

        public static List<string>? Capture
        {
            get => t_capture;
            set => t_capture = value;
        }

        public System.Text.StringBuilder Line { get; } = new();

        public LLamaLogLevel Level { get; set; } = LLamaLogLevel.Info;
    }
}

/// <summary>Which native llama.cpp build to prefer.</summary>
public enum LlamaBackend
{
    /// <summary>The best build present: CUDA, then Vulkan, then the CPU build for the processor's AVX level.</summary>
    Auto,

    /// <summary>The CPU build only (no GPU offload).</summary>
    Cpu,

    /// <summary>The CUDA build (needs <c>LLamaSharp.Backend.Cuda12</c> and an NVIDIA driver).</summary>
    Cuda,

    /// <summary>The Vulkan build (needs <c>LLamaSharp.Backend.Vulkan</c> and a Vulkan driver).</summary>
    Vulkan,
}

/// <summary>How <see cref="LlamaNativeLibrary.Configure"/> chooses the native library.</summary>
public sealed class LlamaBackendOptions
{
    /// <summary>Gets the preferred backend. Defaults to <see cref="LlamaBackend.Auto"/>.</summary>
    public LlamaBackend Backend { get; init; } = LlamaBackend.Auto;

    /// <summary>Gets the path of a custom <c>libllama</c> (<c>llama.dll</c>) build to load instead of a backend package's.</summary>
    public string? LibraryPath { get; init; }

    /// <summary>Gets extra directories searched for the backend packages' <c>runtimes/</c> folders.</summary>
    public IReadOnlyList<string> SearchDirectories { get; init; } = [];

    /// <summary>Gets whether a build that fails to load falls back to the next candidate (e.g. CUDA → CPU). Defaults to
    /// <see langword="true"/>.</summary>
    public bool AllowFallback { get; init; } = true;

    /// <summary>Gets the logger llama.cpp's log goes to (see <see cref="LlamaNativeLibrary.SetLogger"/>).</summary>
    public ILogger? Logger { get; init; }
}
