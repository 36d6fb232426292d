using System.Text;
using Chains.LLamaSharp.Chat;
using Chains.LLamaSharp.Embeddings;
using Chains.LLamaSharp.Gguf;
using Chains.LLamaSharp.Inference;
using Chains.LLamaSharp.Native;
using LLama.Abstractions;
using LLama.Common;
using LLama.Exceptions;
using LLama.Extensions;
using LLama.Native;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp;

/// <summary>
/// A GGUF model loaded into llama.cpp: the entry point of the package. One loaded model serves any number of
/// concurrent callers through <see cref="AsChatClient"/> and <see cref="AsEmbeddingGenerator"/>.
/// </summary>
/// <remarks>
/// <para>Loading checks the file in managed code first (exists, is GGUF, is complete, is a model rather than an
/// adapter, fits the requested context) so mistakes surface as typed exceptions rather than native failures.</para>
/// <para>The chat client keeps one KV cache per concurrent request (<see cref="LlamaModelOptions.MaxConcurrentRequests"/>)
/// and reuses the longest cached prefix of each new prompt, so a conversation that grows turn by turn evaluates only
/// the new turn.</para>
/// </remarks>
public sealed class LlamaModel : IDisposable
{
    private readonly SafeLlamaModelHandle _handle;
    private readonly IntPtr[] _loras;
    private readonly float[] _loraScales;
    private readonly Lock _gate = new();
    private InferenceEngine? _engine;
    private LlamaEmbeddingEngine? _embeddings;
    private bool _disposed;

    private LlamaModel(SafeLlamaModelHandle handle, GgufModelInfo info, LlamaModelOptions options, int gpuLayers, IntPtr[] loras, float[] loraScales)
    {
        _handle = handle;
        Info = info;
        Options = options;
        GpuLayerCount = gpuLayers;
        _loras = loras;
        _loraScales = loraScales;
        ModelId = info.Name is { Length: > 0 } name ? name : System.IO.Path.GetFileNameWithoutExtension(info.Path);
        ContextSize = options.EffectiveContextSize(info);
        VocabularySize = handle.Vocab.Count;
    }

    /// <summary>Gets what the GGUF header says about the model.</summary>
    public GgufModelInfo Info { get; }

    /// <summary>Gets the options the model was loaded with.</summary>
    public LlamaModelOptions Options { get; }

    /// <summary>Gets the model id reported in responses: <c>general.name</c>, else the file name.</summary>
    public string ModelId { get; }

    /// <summary>Gets the requested context size of each sequence, in tokens.</summary>
    public int ContextSize { get; }

    /// <summary>Gets the number of layers offloaded to the GPU (after resolving <see cref="GpuLayers.Auto"/>); capped at
    /// <c>BlockCount + 1</c>.</summary>
    public int GpuLayerCount { get; }

    /// <summary>Gets the number of tokens in the model's vocabulary.</summary>
    public int VocabularySize { get; }

    /// <summary>Gets the native model handle, for LLamaSharp calls this package does not wrap.</summary>
    public SafeLlamaModelHandle NativeHandle => _handle;

    /// <summary>Loads a GGUF model.</summary>
    /// <param name="path">The GGUF file.</param>
    /// <param name="options">How to load it; <see langword="null"/> for the defaults.</param>
    /// <returns>The loaded model.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or an option is invalid (the message names it).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, e.g. a context larger than the model's.</exception>
    /// <exception cref="FileNotFoundException">The model or an adapter file does not exist.</exception>
    /// <exception cref="GgufFormatException">The file is not GGUF, or it is truncated.</exception>
    /// <exception cref="UnsupportedModelArchitectureException">llama.cpp does not support the model's architecture, or the file is not a model.</exception>
    /// <exception cref="LlamaModelLoadException">llama.cpp failed to load the weights or an adapter.</exception>
    public static LlamaModel Load(string path, LlamaModelOptions? options = null)
        => LlamaTelemetry.MeasureLoad(path, () => LoadCore(path, options ?? new LlamaModelOptions(), null, CancellationToken.None));

    /// <summary>Loads a GGUF model on a thread-pool thread, reporting progress and honouring cancellation.</summary>
    /// <param name="path">The GGUF file.</param>
    /// <param name="options">How to load it; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives the load progress, 0 to 1.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The loaded model.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or an option is invalid (the message names it).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, e.g. a context larger than the model's.</exception>
    /// <exception cref="FileNotFoundException">The model or an adapter file does not exist.</exception>
    /// <exception cref="GgufFormatException">The file is not GGUF, or it is truncated.</exception>
    /// <exception cref="UnsupportedModelArchitectureException">llama.cpp does not support the model's architecture, or the file is not a model.</exception>
    /// <exception cref="LlamaModelLoadException">llama.cpp failed to load the weights or an adapter.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<LlamaModel> LoadAsync(string path, LlamaModelOptions? options = null, IProgress<float>? progress = null, CancellationToken cancellationToken = default)
        => Task.Run(() => LlamaTelemetry.MeasureLoad(path, () => LoadCore(path, options ?? new LlamaModelOptions(), progress, cancellationToken)), cancellationToken);

    /// <summary>Creates a chat client over this model. Clients are cheap; all share the model's contexts and queue.</summary>
    /// <remarks>A request whose rendered prompt fills <see cref="ContextSize"/> fails with
    /// <see cref="LlamaContextOverflowException"/> before anything is evaluated; the client stays usable.</remarks>
    /// <param name="options">Defaults for requests (sampling, token limit); <see langword="null"/> for the defaults.</param>
    /// <returns>The chat client.</returns>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public IChatClient AsChatClient(LlamaChatClientOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new LlamaChatClient(this, options ?? new LlamaChatClientOptions());
    }

    /// <summary>Creates an embedding generator over this model (its own context with pooled embeddings).</summary>
    /// <param name="options">Pooling, normalisation and batching; <see langword="null"/> for the defaults.</param>
    /// <returns>The embedding generator.</returns>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public IEmbeddingGenerator<string, Embedding<float>> AsEmbeddingGenerator(LlamaEmbeddingOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new LlamaEmbeddingGenerator(this, options ?? new LlamaEmbeddingOptions());
    }

    /// <summary>Creates a token counter for Chains' memory (token budgets, summarising reducers) that counts with this
    /// model's vocabulary and chat template, as the chat client will render the conversation.</summary>
    /// <param name="options">The chat client options whose template override to honour; <see langword="null"/> for the model's template.</param>
    /// <returns>The token counter (thread-safe).</returns>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public Chains.Memory.ITokenCounter AsTokenCounter(LlamaChatClientOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new LlamaTokenCounter(this, options?.ChatTemplate ?? Info.ChatTemplate);
    }

    /// <summary>Counts the tokens the model's tokenizer makes of <paramref name="text"/> (no BOS; special-token text
    /// counts as plain text).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return text.Length == 0 ? 0 : _handle.Tokenize(text, false, false, Encoding.UTF8).Length;
    }

    /// <summary>Gets counters of the chat engine: tokens evaluated, reused from the KV cache and generated, and the
    /// requests running and queued.</summary>
    /// <returns>The counters.</returns>
    public LlamaModelStatistics GetStatistics()
    {
        var engine = _engine;
        return engine is null
            ? default
            : new LlamaModelStatistics(engine.EvaluatedTokens, engine.ReusedTokens, engine.GeneratedTokens, engine.ActiveRequests, engine.QueuedRequests);
    }

    /// <summary>Frees the contexts and the weights. Running requests fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _engine?.Dispose();
        _embeddings?.Dispose();
        _handle.Dispose();
    }

    /// <summary>Tokenizes text that may contain the model's special-token markup (a rendered prompt).</summary>
    internal LLamaToken[] TokenizePrompt(string prompt, bool addBos)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _handle.Tokenize(prompt, addBos, true, Encoding.UTF8);
    }

    /// <summary>Gets the chat engine, creating its context on first use.</summary>
    internal InferenceEngine Engine
    {
        get
        {
            if (_engine is { } engine)
            {
                return engine;
            }

            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_engine is null)
                {
                    var sequences = Options.MaxConcurrentRequests;
                    var context = CreateContext(builder =>
                    {
                        ref var p = ref builder.Params;
                        // One KV stream shared by all sequences, so a step's tokens from every sequence run as one
                        // micro-batch (with a stream per sequence llama.cpp computes them one stream at a time and the
                        // batching gain is lost). The engine caps each sequence at its share, ContextSize, so sequences
                        // never crowd each other out.
                        p.n_ctx = (uint)(ContextSize * sequences);
                        p.n_seq_max = (uint)sequences;
                        p.kv_unified = true;
                    });
                    _engine = new InferenceEngine(_handle, context, sequences, Options.BatchSize, Options.Logger);
                }

                return _engine;
            }
        }
    }

    /// <summary>Gets the embedding engine, creating its context on first use.</summary>
    internal LlamaEmbeddingEngine EmbeddingEngine
    {
        get
        {
            if (_embeddings is { } engine)
            {
                return engine;
            }

            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _embeddings ??= new LlamaEmbeddingEngine(this);
                return _embeddings;
            }
        }
    }

    /// <summary>Creates a context with the model's options applied (threads, batch, flash attention, LoRA adapters).</summary>
    internal SafeLLamaContextHandle CreateContext(Action<LLamaContextParamsBuilder> configure)
    {
        var builder = new LLamaContextParamsBuilder(LLamaContextParams.Default());
        ref var p = ref builder.Params;
        p.n_batch = (uint)Options.BatchSize;
        p.n_ubatch = (uint)(Options.MicroBatchSize ?? Options.BatchSize);
        if (Options.Threads is { } threads)
        {
            p.n_threads = threads;
            p.n_threads_batch = Options.BatchThreads ?? threads;
        }
        else if (Options.BatchThreads is { } batchThreads)
        {
            p.n_threads_batch = batchThreads;
        }

        p.llama_flash_attn_type = Options.FlashAttention switch
        {
            true => LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_ENABLED,
            false => LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_DISABLED,
            null => LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_AUTO,
        };
        p.no_perf = true;
        configure(builder);
        var parameters = builder.Params;
        SafeLLamaContextHandle context;
        using (var log = LlamaNativeLibrary.CaptureLog())
        {
            try
            {
                context = SafeLLamaContextHandle.Create(_handle, parameters);
            }
            catch (RuntimeError ex)
            {
                throw new LlamaModelLoadException($"llama.cpp could not create a context of {parameters.n_ctx} tokens for '{Info.Path}': {log.Describe()}", ex);
            }
        }

        if (_loras.Length > 0 && NativeExports.SetLoras(context, _loras, _loraScales) != 0)
        {
            context.Dispose();
            throw new LlamaModelLoadException($"llama.cpp could not apply the LoRA adapters of '{Info.Path}'.");
        }

        return context;
    }

    private static LlamaModel LoadCore(string path, LlamaModelOptions options, IProgress<float>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        }

        if (!GgufReader.HasMagic(path))
        {
            throw new GgufFormatException($"'{path}' is not a GGUF file (it does not start with the \"GGUF\" magic). llama.cpp loads only GGUF; convert other formats with llama.cpp's convert_hf_to_gguf.py.");
        }

        var info = GgufModelInfo.Read(path);
        if (info.FileKind == "adapter")
        {
            throw new UnsupportedModelArchitectureException($"'{path}' is a {info.GetString("adapter.type") ?? "LoRA"} adapter, not a model; load the base model and pass the adapter in LlamaModelOptions.LoraAdapters.");
        }

        if (info.IsTruncated)
        {
            throw new GgufFormatException($"'{path}' is truncated: it has {info.FileLength} bytes but its tensors end at byte {info.DataOffset + info.TensorDataBytes} (an interrupted download?).");
        }

        LlamaModelOptions.Validate(options, info);
        var contextSize = options.EffectiveContextSize(info);
        var gpuLayers = options.GpuLayers.IsAuto
            ? LlamaMemoryEstimator.GpuLayersThatFit(info, contextSize * options.MaxConcurrentRequests, options.GpuLayers.VramBudgetBytes!.Value)
            : options.GpuLayers.LayerCount!.Value;
        var loras = options.LoraAdapters.Select(a => (a, Info: ValidateLora(options, a, info))).ToList();
        cancellationToken.ThrowIfCancellationRequested();

        LlamaNativeLibrary.EnsureLoaded();
        var parameters = new ModelParams(path)
        {
            GpuLayerCount = gpuLayers,
            MainGpu = options.MainGpu,
            SplitMode = options.SplitMode,
            LoadMode = (options.UseMemoryMap, options.LockMemory) switch
            {
                (true, true) => LLamaLoadMode.MemoryMapAndLock,
                (true, false) => LLamaLoadMode.MemoryMap,
                (false, true) => LLamaLoadMode.MemoryLock,
                _ => LLamaLoadMode.None,
            },
        };
        if (options.TensorSplit is { } split)
        {
            var max = (int)NativeApi.llama_max_devices();
            if (split.Count > max)
            {
                throw new ArgumentException($"LlamaModelOptions.TensorSplit has {split.Count} entries but the loaded backend supports {max} devices.", nameof(options));
            }

            var values = new float[max];
            for (var i = 0; i < split.Count; i++)
            {
                values[i] = split[i];
            }

            parameters.TensorSplits = new TensorSplitsCollection(values);
        }

        SafeLlamaModelHandle handle;
        using (var log = LlamaNativeLibrary.CaptureLog())
        using (parameters.ToLlamaModelParams(out var native))
        {
            LlamaProgressCallback? callback = null;
            if (progress is not null || cancellationToken.CanBeCanceled)
            {
                callback = (value, _) =>
                {
                    progress?.Report(Math.Clamp(value, 0f, 1f));
                    return !cancellationToken.IsCancellationRequested;
                };
                native.progress_callback = callback;
            }

            try
            {
                handle = SafeLlamaModelHandle.LoadFromFile(path, native);
            }
            catch (LoadWeightsFailedException ex)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw log.Lines.Any(l => l.Contains("unknown model architecture", StringComparison.OrdinalIgnoreCase))
                    ? new UnsupportedModelArchitectureException(info.Architecture, path, log.Describe())
                    : new LlamaModelLoadException($"llama.cpp could not load '{path}': {log.Describe()}", ex);
            }
            finally
            {
                GC.KeepAlive(callback);
            }
        }

        var loraHandles = new IntPtr[loras.Count];
        try
        {
            for (var i = 0; i < loras.Count; i++)
            {
                var adapterPath = loras[i].a.Path;
                using var log = LlamaNativeLibrary.CaptureLog();
                loraHandles[i] = NativeExports.LoadLora(handle, adapterPath);
                if (loraHandles[i] == IntPtr.Zero)
                {
                    throw new LlamaModelLoadException($"llama.cpp could not load the LoRA adapter '{adapterPath}': {log.Describe()}");
                }
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        progress?.Report(1f);
        var model = new LlamaModel(handle, info, options, Math.Min(gpuLayers, info.BlockCount + 1), loraHandles, [.. loras.Select(l => l.a.Scale)]);
        if (options.Logger is { } logger)
        {
            Log.ModelLoaded(logger, model.ModelId, info.Architecture, info.ParameterCount, info.Quantization, model.GpuLayerCount, model.ContextSize, options.MaxConcurrentRequests);
        }

        return model;
    }

    private static GgufModelInfo ValidateLora(LlamaModelOptions options, LlamaLoraAdapter adapter, GgufModelInfo model)
    {
        ArgumentException.ThrowIfNullOrEmpty(adapter.Path, "options.LoraAdapters[].Path");
        if (!float.IsFinite(adapter.Scale))
        {
            throw new ArgumentOutOfRangeException(nameof(options), adapter.Scale, $"The scale of LoRA adapter '{adapter.Path}' must be finite.");
        }

        if (!File.Exists(adapter.Path))
        {
            throw new FileNotFoundException($"The LoRA adapter '{adapter.Path}' does not exist.", adapter.Path);
        }

        var info = GgufModelInfo.Read(adapter.Path);
        if (info.FileKind != "adapter" || info.GetString("adapter.type") != "lora")
        {
            throw new ArgumentException($"'{adapter.Path}' is not a LoRA adapter (general.type '{info.FileKind}', adapter.type '{info.GetString("adapter.type")}').", nameof(options));
        }

        if (info.Architecture != model.Architecture)
        {
            throw new ArgumentException($"The LoRA adapter '{adapter.Path}' is for '{info.Architecture}' models, not '{model.Architecture}'.", nameof(options));
        }

        if (info.IsTruncated)
        {
            throw new GgufFormatException($"The LoRA adapter '{adapter.Path}' is truncated.");
        }

        var shapes = model.Tensors.ToDictionary(t => t.Name, t => t.Dimensions, StringComparer.Ordinal);
        foreach (var tensor in info.Tensors)
        {
            var isA = tensor.Name.EndsWith(".lora_a", StringComparison.Ordinal);
            if (!isA && !tensor.Name.EndsWith(".lora_b", StringComparison.Ordinal))
            {
                continue;
            }

            var target = tensor.Name[..^7];
            if (!shapes.TryGetValue(target, out var shape))
            {
                throw new ArgumentException($"The LoRA adapter '{adapter.Path}' changes '{target}', which the model does not have (an adapter for another base model?).", nameof(options));
            }

            var ok = tensor.Dimensions.Count == 2 && shape.Count >= 2 && (target == "token_embd.weight" || (isA ? tensor.Dimensions[0] == shape[0] : tensor.Dimensions[1] == shape[1]));
            if (!ok)
            {
                throw new ArgumentException($"The LoRA adapter '{adapter.Path}' has tensor '{tensor.Name}' of shape [{string.Join(", ", tensor.Dimensions)}], which does not fit '{target}' [{string.Join(", ", shape)}] (an adapter for another base model?).", nameof(options));
            }
        }

        return info;
    }
}

/// <summary>Mutable holder of native context parameters while a context is configured.</summary>
internal sealed class LLamaContextParamsBuilder(LLamaContextParams parameters)
{
    private LLamaContextParams _params = parameters;

    public ref LLamaContextParams Params => ref _params;
}

/// <summary>Counters of a model's chat engine.</summary>
/// <param name="EvaluatedTokens">Tokens evaluated by llama.cpp (prompt tokens not found in a cache, plus generated tokens fed back).</param>
/// <param name="ReusedPromptTokens">Prompt tokens found in a KV cache and not evaluated again.</param>
/// <param name="GeneratedTokens">Tokens generated.</param>
/// <param name="ActiveRequests">Requests generating now.</param>
/// <param name="QueuedRequests">Requests waiting for a free sequence.</param>
public readonly record struct LlamaModelStatistics(long EvaluatedTokens, long ReusedPromptTokens, long GeneratedTokens, int ActiveRequests, int QueuedRequests);
