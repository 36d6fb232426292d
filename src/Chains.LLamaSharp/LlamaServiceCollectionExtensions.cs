using System.Globalization;
using Chains.DependencyInjection;
using Chains.LLamaSharp;
using Chains.LLamaSharp.Gguf;
using LLama.Native;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers local GGUF models as Microsoft.Extensions.AI's <see cref="IChatClient"/> and
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>, through its own <c>AddChatClient</c>,
/// <c>AddEmbeddingGenerator</c> and their keyed variants, so the returned builders add middleware as usual.
/// </summary>
/// <remarks>
/// <para><b>One model per key.</b> Each service key (or none) gets one <see cref="LlamaModel"/>, registered as a
/// singleton (keyed by the same key) that loads on first use — never at registration — and is disposed with the
/// container. A chat client and an embedding generator registered under the same key share it. Registering a different
/// model under a key that already has one throws; give it its own key.</para>
/// <para><b>Checked at registration.</b> The options are validated and the model file's GGUF header is read (a few
/// kilobytes, no weights) when you register, so a wrong path or a context larger than the model's fails at start-up.
/// From configuration, every error names the full key path (<c>Chains:Models:Local:ContextSize</c>) and the value,
/// and a key that is not a setting (a misspelling) is reported. The configuration is read once; changing it later has
/// no effect on a loaded model.</para>
/// <para><b>Configuration keys</b> are the <see cref="LlamaModelOptions"/> property names plus <c>Path</c>, with the
/// chat defaults (<see cref="LlamaChatClientOptions"/>) under <c>Chat</c> and the embedding options
/// (<see cref="LlamaEmbeddingOptions"/>) under <c>Embeddings</c>. <c>GpuLayers</c> is <c>none</c>, <c>all</c>, a layer
/// count such as <c>12</c>, or <c>auto:</c> and a VRAM budget such as <c>auto:6GiB</c>; <c>TensorSplit</c> is a list of
/// numbers; <c>LoraAdapters</c> is a list of <c>{ "Path": ..., "Scale": ... }</c>. The logger and clock come from the
/// container (<see cref="ILoggerFactory"/>, <see cref="TimeProvider"/>) when it has them.</para>
/// </remarks>
public static class LlamaServiceCollectionExtensions
{
    private const string GpuLayersFormat = "'none', 'all', a layer count such as 12, or 'auto:' with a VRAM budget such as 'auto:6GiB'";

    /// <summary>Registers a local model's chat client as the <see cref="IChatClient"/>, reading the model and chat
    /// options from <paramref name="configuration"/> now.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The model's section, e.g. <c>configuration.GetSection("Chains:Models:Local")</c>.</param>
    /// <param name="lifetime">The lifetime of the <see cref="IChatClient"/> registration (default singleton); the model is always a singleton.</param>
    /// <returns>The builder of the chat client pipeline, to add middleware (logging, telemetry, function invocation).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The section is missing, holds an invalid value or an unknown key, or a
    /// different model is already registered without a key; the message names the key path.</exception>
    /// <exception cref="FileNotFoundException">The model file (or an adapter) does not exist; the message names the key that set it.</exception>
    /// <exception cref="GgufFormatException">The model file is not a valid GGUF file.</exception>
    public static ChatClientBuilder AddLlamaChatClient(this IServiceCollection services, IConfiguration configuration, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        var config = ModelConfiguration.Read(configuration);
        return AddChatClientCore(services, null, config.Model, config.Chat, lifetime);
    }

    /// <summary>Registers a local model's chat client as the <see cref="IChatClient"/> keyed by
    /// <paramref name="serviceKey"/> (resolve it with <c>GetRequiredKeyedService</c> or <c>[FromKeyedServices]</c>),
    /// reading the options from <paramref name="configuration"/> now. Its model is resolvable as the
    /// <see cref="LlamaModel"/> keyed by the same key.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The service key.</param>
    /// <param name="configuration">The model's section.</param>
    /// <param name="lifetime">The lifetime of the <see cref="IChatClient"/> registration (default singleton).</param>
    /// <returns>The builder of the chat client pipeline.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The section is missing, holds an invalid value or an unknown key, or a
    /// different model is already registered under the key; the message names the key path.</exception>
    /// <exception cref="FileNotFoundException">The model file (or an adapter) does not exist.</exception>
    /// <exception cref="GgufFormatException">The model file is not a valid GGUF file.</exception>
    public static ChatClientBuilder AddKeyedLlamaChatClient(this IServiceCollection services, object serviceKey, IConfiguration configuration, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        var config = ModelConfiguration.Read(configuration);
        return AddChatClientCore(services, serviceKey, config.Model, config.Chat, lifetime);
    }

    /// <summary>Registers a local model's chat client as the <see cref="IChatClient"/>. The options are validated and
    /// the file's header is read now; the model loads on first use.</summary>
    /// <param name="services">The services.</param>
    /// <param name="modelPath">The GGUF file.</param>
    /// <param name="modelOptions">How to load the model; <see langword="null"/> for the defaults.</param>
    /// <param name="chatOptions">The chat defaults; <see langword="null"/> for the defaults.</param>
    /// <param name="lifetime">The lifetime of the <see cref="IChatClient"/> registration (default singleton).</param>
    /// <returns>The builder of the chat client pipeline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelPath"/> is empty, an option is invalid, or a different
    /// model is already registered without a key.</exception>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="GgufFormatException">The model file is not a valid GGUF file.</exception>
    public static ChatClientBuilder AddLlamaChatClient(this IServiceCollection services, string modelPath, LlamaModelOptions? modelOptions = null, LlamaChatClientOptions? chatOptions = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        chatOptions ??= new LlamaChatClientOptions();
        chatOptions.Validate();
        return AddChatClientCore(services, null, ModelSource.FromCode(modelPath, modelOptions), chatOptions, lifetime);
    }

    /// <summary>Registers a local model's chat client as the <see cref="IChatClient"/> keyed by
    /// <paramref name="serviceKey"/>. The options are validated and the file's header is read now.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The service key.</param>
    /// <param name="modelPath">The GGUF file.</param>
    /// <param name="modelOptions">How to load the model; <see langword="null"/> for the defaults.</param>
    /// <param name="chatOptions">The chat defaults; <see langword="null"/> for the defaults.</param>
    /// <param name="lifetime">The lifetime of the <see cref="IChatClient"/> registration (default singleton).</param>
    /// <returns>The builder of the chat client pipeline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="serviceKey"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelPath"/> is empty, an option is invalid, or a different
    /// model is already registered under the key.</exception>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="GgufFormatException">The model file is not a valid GGUF file.</exception>
    public static ChatClientBuilder AddKeyedLlamaChatClient(this IServiceCollection services, object serviceKey, string modelPath, LlamaModelOptions? modelOptions = null, LlamaChatClientOptions? chatOptions = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        chatOptions ??= new LlamaChatClientOptions();
        chatOptions.Validate();
        return AddChatClientCore(services, serviceKey, ModelSource.FromCode(modelPath, modelOptions), chatOptions, lifetime);
    }

    /// <summary>Registers a local model's embeddings as the <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of
    /// strings, reading the model and embedding options (<c>Embeddings</c> sub-section) from <paramref name="configuration"/> now.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The model's section.</param>
    /// <param name="lifetime">The lifetime of the generator registration (default singleton); the model is always a singleton.</param>
    /// <returns>The builder of the generator pipeline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The section is missing, holds an invalid value or an unknown key, or a
    /// different model is already registered without a key; the message names the key path.</exception>
    /// <exception cref="FileNotFoundException">The model file (or an adapter) does not exist.</exception>
    /// <exception cref="GgufFormatException">The model file is not a valid GGUF file.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddLlamaEmbeddings(this IServiceCollection services, IConfiguration configuration, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        var config = ModelConfiguration.Read(configuration);
        return AddEmbeddingsCore(services, null, config.Model, config.Embeddings, lifetime);
    }

    /// <summary>Registers a local model's embeddings keyed by <paramref name="serviceKey"/>, reading the options from
    /// <paramref name="configuration"/> now.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The service key.</param>
    /// <param name="configuration">The model's section.</param>
    /// <param name="lifetime">The lifetime of the generator registration (default singleton).</param>
    /// <returns>The builder of the generator pipeline.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The section is missing, holds an invalid value or an unknown key, or a
    /// different model is already registered under the key; the message names the key path.</exception>
    /// <exception cref="FileNotFoundException">The model file (or an adapter) does not exist.</exception>
    /// <exception cref="GgufFormatException">The model file is not a valid GGUF file.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddKeyedLlamaEmbeddings(this IServiceCollection services, object serviceKey, IConfiguration configuration, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        var config = ModelConfiguration.Read(configuration);
        return AddEmbeddingsCore(services, serviceKey, config.Model, config.Embeddings, lifetime);
    }

    /// <summary>Registers a local model's embeddings as the <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of
    /// strings. The options are validated and the file's header is read now.</summary>
    /// <param name="services">The services.</param>
    /// <param name="modelPath">The GGUF file.</param>
    /// <param name="modelOptions">How to load the model; <see langword="null"/> for the defaults.</param>
    /// <param name="embeddingOptions">Pooling, normalisation and batching; <see langword="null"/> for the defaults.</param>
    /// <param name="lifetime">The lifetime of the generator registration (default singleton).</param>
    /// <returns>The builder of the generator pipeline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelPath"/> is empty, an option is invalid, or a different
    /// model is already registered without a key.</exception>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="GgufFormatException">The model file is not a valid GGUF file.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddLlamaEmbeddings(this IServiceCollection services, string modelPath, LlamaModelOptions? modelOptions = null, LlamaEmbeddingOptions? embeddingOptions = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        embeddingOptions ??= new LlamaEmbeddingOptions();
        embeddingOptions.Validate();
        return AddEmbeddingsCore(services, null, ModelSource.FromCode(modelPath, modelOptions), embeddingOptions, lifetime);
    }

    /// <summary>Registers a local model's embeddings keyed by <paramref name="serviceKey"/>. The options are validated
    /// and the file's header is read now.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The service key.</param>
    /// <param name="modelPath">The GGUF file.</param>
    /// <param name="modelOptions">How to load the model; <see langword="null"/> for the defaults.</param>
    /// <param name="embeddingOptions">Pooling, normalisation and batching; <see langword="null"/> for the defaults.</param>
    /// <param name="lifetime">The lifetime of the generator registration (default singleton).</param>
    /// <returns>The builder of the generator pipeline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="serviceKey"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelPath"/> is empty, an option is invalid, or a different
    /// model is already registered under the key.</exception>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="GgufFormatException">The model file is not a valid GGUF file.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddKeyedLlamaEmbeddings(this IServiceCollection services, object serviceKey, string modelPath, LlamaModelOptions? modelOptions = null, LlamaEmbeddingOptions? embeddingOptions = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        embeddingOptions ??= new LlamaEmbeddingOptions();
        embeddingOptions.Validate();
        return AddEmbeddingsCore(services, serviceKey, ModelSource.FromCode(modelPath, modelOptions), embeddingOptions, lifetime);
    }

    private static ChatClientBuilder AddChatClientCore(IServiceCollection services, object? serviceKey, ModelSource model, LlamaChatClientOptions chatOptions, ServiceLifetime lifetime)
    {
        AddModel(services, serviceKey, model);
        return serviceKey is null
            ? services.AddChatClient(sp => sp.GetRequiredService<LlamaModel>().AsChatClient(chatOptions), lifetime)
            : services.AddKeyedChatClient(serviceKey, sp => sp.GetRequiredKeyedService<LlamaModel>(serviceKey).AsChatClient(chatOptions), lifetime);
    }

    private static EmbeddingGeneratorBuilder<string, Embedding<float>> AddEmbeddingsCore(IServiceCollection services, object? serviceKey, ModelSource model, LlamaEmbeddingOptions embeddingOptions, ServiceLifetime lifetime)
    {
        AddModel(services, serviceKey, model);
        return serviceKey is null
            ? services.AddEmbeddingGenerator(sp => sp.GetRequiredService<LlamaModel>().AsEmbeddingGenerator(embeddingOptions), lifetime)
            : services.AddKeyedEmbeddingGenerator(serviceKey, sp => sp.GetRequiredKeyedService<LlamaModel>(serviceKey).AsEmbeddingGenerator(embeddingOptions), lifetime);
    }

    /// <summary>Registers the key's model (a lazily loaded singleton the container disposes), or checks that the one
    /// already registered for the key is the same model.</summary>
    private static void AddModel(IServiceCollection services, object? serviceKey, ModelSource model)
    {
        var registry = services.FirstOrDefault(d => d.ServiceType == typeof(ModelRegistry) && !d.IsKeyedService)?.ImplementationInstance as ModelRegistry;
        if (registry is null)
        {
            registry = new ModelRegistry();
            services.AddSingleton(registry);
        }

        var slot = serviceKey ?? ModelRegistry.NoKey;
        if (registry.Models.TryGetValue(slot, out var existing))
        {
            if (!existing.SameAs(model))
            {
                throw new ArgumentException(
                    $"A Llama model is already registered {(serviceKey is null ? "without a service key" : $"under the service key '{serviceKey}'")}, from {existing.Description}; " +
                    $"this registration asks for {model.Description}. One key holds one model: register this one with AddKeyedLlamaChatClient / AddKeyedLlamaEmbeddings under another key.",
                    nameof(serviceKey));
            }

            return;
        }

        registry.Models.Add(slot, model);
        services.TryAdd(new ServiceDescriptor(typeof(LlamaModel), serviceKey, (sp, _) => model.Load(sp), ServiceLifetime.Singleton));
    }

    /// <summary>Reads the model file's header now and checks the options against it, as loading would.</summary>
    private static GgufModelInfo ReadHeader(string fullPath, string? keyPath)
    {
        var where = keyPath is null ? string.Empty : $" set at '{keyPath}'";
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException(
                $"The model file '{fullPath}'{where} does not exist. Fix the path (a relative path is resolved against the current directory, '{Environment.CurrentDirectory}'), or download the model first (ModelDownloader).",
                fullPath);
        }

        if (!GgufReader.HasMagic(fullPath))
        {
            throw new GgufFormatException($"The model file '{fullPath}'{where} is not a GGUF file (it does not start with the \"GGUF\" magic). llama.cpp loads only GGUF; convert other formats with llama.cpp's convert_hf_to_gguf.py.");
        }

        return GgufModelInfo.Read(fullPath);
    }

    private static GpuLayers? ParseGpuLayers(string text)
    {
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return GpuLayers.None;
        }

        if (text.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return GpuLayers.All;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var layers))
        {
            return GpuLayers.Count(layers);
        }

        return text.StartsWith("auto:", StringComparison.OrdinalIgnoreCase) && ParseBytes(text[5..].Trim()) is { } budget
            ? GpuLayers.Auto(budget)
            : null;
    }

    /// <summary>Parses a size such as <c>6GiB</c>, <c>512 MiB</c>, <c>8GB</c> or a number of bytes; <see langword="null"/> when not a positive size.</summary>
    private static long? ParseBytes(string text)
    {
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }

        if (!double.TryParse(text.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        double? scale = text[end..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            "KIB" => 1L << 10,
            "MIB" => 1L << 20,
            "GIB" => 1L << 30,
            "TIB" => 1L << 40,
            _ => null,
        };
        var bytes = number * scale;
        return bytes is >= 1 and < long.MaxValue ? (long)bytes : null;
    }

    /// <summary>The registered models, by service key; one per key.</summary>
    private sealed class ModelRegistry
    {
        public static readonly object NoKey = new();

        public Dictionary<object, ModelSource> Models { get; } = [];
    }

    /// <summary>Where a key's model comes from and how to load it.</summary>
    /// <param name="Path">The full path of the GGUF file.</param>
    /// <param name="Origin">What identifies the registration: the configuration section's path, or the options object passed in code.</param>
    /// <param name="Description">For messages.</param>
    /// <param name="Load">Loads the model on first resolve.</param>
    private sealed record ModelSource(string Path, object? Origin, string Description, Func<IServiceProvider, LlamaModel> Load)
    {
        public bool SameAs(ModelSource other) => string.Equals(Path, other.Path, StringComparison.Ordinal) && Equals(Origin, other.Origin);

        public static ModelSource FromCode(string modelPath, LlamaModelOptions? options)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
            var fullPath = System.IO.Path.GetFullPath(modelPath);
            var info = ReadHeader(fullPath, null);
            var effective = options ?? new LlamaModelOptions();
            LlamaModelOptions.Validate(effective, info);
            return new ModelSource(fullPath, options, $"'{fullPath}'", _ => LlamaModel.Load(fullPath, effective));
        }
    }

    /// <summary>A model section read from configuration: the model, and the chat and embedding options under it.</summary>
    private sealed record ModelConfiguration(ModelSource Model, LlamaChatClientOptions Chat, LlamaEmbeddingOptions Embeddings)
    {
        public static ModelConfiguration Read(IConfiguration configuration)
        {
            ArgumentNullException.ThrowIfNull(configuration);
            var reader = new ConfigurationReader(configuration, nameof(LlamaModelOptions));
            reader.Require("Path");
            var path = reader.String("Path");
            var contextSize = reader.Int32(nameof(LlamaModelOptions.ContextSize));
            var maxConcurrentRequests = reader.Int32(nameof(LlamaModelOptions.MaxConcurrentRequests));
            var gpuLayers = reader.Value(nameof(LlamaModelOptions.GpuLayers), ParseGpuLayers, GpuLayersFormat);
            var mainGpu = reader.Int32(nameof(LlamaModelOptions.MainGpu));
            var splitMode = reader.Enum<GPUSplitMode>(nameof(LlamaModelOptions.SplitMode));
            var tensorSplit = reader.SingleList(nameof(LlamaModelOptions.TensorSplit));
            var flashAttention = reader.Boolean(nameof(LlamaModelOptions.FlashAttention));
            var threads = reader.Int32(nameof(LlamaModelOptions.Threads));
            var batchThreads = reader.Int32(nameof(LlamaModelOptions.BatchThreads));
            var batchSize = reader.Int32(nameof(LlamaModelOptions.BatchSize));
            var microBatchSize = reader.Int32(nameof(LlamaModelOptions.MicroBatchSize));
            var seed = reader.Int32(nameof(LlamaModelOptions.Seed));
            var useMemoryMap = reader.Boolean(nameof(LlamaModelOptions.UseMemoryMap));
            var lockMemory = reader.Boolean(nameof(LlamaModelOptions.LockMemory));
            var adapters = ReadAdapters(reader);
            var chatSection = reader.Section("Chat");
            var embeddingsSection = reader.Section("Embeddings");
            reader.ThrowIfUnknownKeys();
            if (string.IsNullOrWhiteSpace(path))
            {
                throw reader.Missing("Path", "Set it to the GGUF model file, e.g. \"models/qwen2.5-0.5b-instruct-q4_k_m.gguf\" (a relative path is resolved against the current directory).");
            }

            var defaults = new LlamaModelOptions();
            LlamaModelOptions Create(ILogger? logger, TimeProvider timeProvider) => new()
            {
                ContextSize = contextSize,
                MaxConcurrentRequests = maxConcurrentRequests ?? defaults.MaxConcurrentRequests,
                GpuLayers = gpuLayers ?? defaults.GpuLayers,
                MainGpu = mainGpu ?? defaults.MainGpu,
                SplitMode = splitMode,
                TensorSplit = tensorSplit,
                FlashAttention = flashAttention,
                Threads = threads,
                BatchThreads = batchThreads,
                BatchSize = batchSize ?? defaults.BatchSize,
                MicroBatchSize = microBatchSize,
                Seed = seed,
                UseMemoryMap = useMemoryMap ?? defaults.UseMemoryMap,
                LockMemory = lockMemory ?? defaults.LockMemory,
                LoraAdapters = adapters,
                Logger = logger,
                TimeProvider = timeProvider,
            };

            string fullPath;
            try
            {
                fullPath = System.IO.Path.GetFullPath(path);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
            {
                throw reader.Invalid("Path", $"which is not a valid path: {ex.Message}", ex);
            }

            var info = ReadHeader(fullPath, reader.KeyPath("Path"));
            reader.Build(() =>
            {
                LlamaModelOptions.Validate(Create(null, TimeProvider.System), info);
                return info;
            });

            var model = new ModelSource(
                fullPath,
                reader.Path,
                $"configuration section '{reader.Path}' ('{fullPath}')",
                sp => LlamaModel.Load(fullPath, Create(sp.GetService<ILoggerFactory>()?.CreateLogger<LlamaModel>(), sp.GetService<TimeProvider>() ?? TimeProvider.System)));
            return new ModelConfiguration(model, ReadChat(chatSection), ReadEmbeddings(embeddingsSection));
        }

        private static List<LlamaLoraAdapter> ReadAdapters(ConfigurationReader reader)
        {
            var adapters = new List<LlamaLoraAdapter>();
            foreach (var element in reader.SectionList(nameof(LlamaModelOptions.LoraAdapters), "[{ \"Path\": \"adapters/style.gguf\", \"Scale\": 0.8 }]") ?? [])
            {
                var adapter = new ConfigurationReader(element, nameof(LlamaLoraAdapter));
                adapter.Require(nameof(LlamaLoraAdapter.Path));
                var path = adapter.String(nameof(LlamaLoraAdapter.Path));
                var scale = adapter.Single(nameof(LlamaLoraAdapter.Scale)) ?? 1f;
                adapter.ThrowIfUnknownKeys();
                if (string.IsNullOrWhiteSpace(path))
                {
                    throw adapter.Missing(nameof(LlamaLoraAdapter.Path), "Set it to the LoRA adapter's GGUF file.");
                }
                var fullPath = System.IO.Path.GetFullPath(path);
                if (!File.Exists(fullPath))
                {
                    throw new FileNotFoundException($"The LoRA adapter '{fullPath}' set at '{adapter.KeyPath(nameof(LlamaLoraAdapter.Path))}' does not exist.", fullPath);
                }

                adapters.Add(new LlamaLoraAdapter(fullPath, scale));
            }

            return adapters;
        }

        private static LlamaChatClientOptions ReadChat(IConfigurationSection? section)
        {
            if (section is null)
            {
                return new LlamaChatClientOptions();
            }

            var reader = new ConfigurationReader(section, nameof(LlamaChatClientOptions));
            var defaults = new LlamaChatClientOptions();
            var options = new LlamaChatClientOptions
            {
                DefaultMaxOutputTokens = reader.Int32(nameof(LlamaChatClientOptions.DefaultMaxOutputTokens)) ?? defaults.DefaultMaxOutputTokens,
                Temperature = reader.Single(nameof(LlamaChatClientOptions.Temperature)) ?? defaults.Temperature,
                TopK = reader.Int32(nameof(LlamaChatClientOptions.TopK)) ?? defaults.TopK,
                TopP = reader.Single(nameof(LlamaChatClientOptions.TopP)) ?? defaults.TopP,
                MinP = reader.Single(nameof(LlamaChatClientOptions.MinP)) ?? defaults.MinP,
                RepeatPenalty = reader.Single(nameof(LlamaChatClientOptions.RepeatPenalty)) ?? defaults.RepeatPenalty,
                ChatTemplate = reader.String(nameof(LlamaChatClientOptions.ChatTemplate)),
            };
            reader.ThrowIfUnknownKeys();
            return reader.Build(() =>
            {
                options.Validate();
                return options;
            });
        }

        private static LlamaEmbeddingOptions ReadEmbeddings(IConfigurationSection? section)
        {
            if (section is null)
            {
                return new LlamaEmbeddingOptions();
            }

            var reader = new ConfigurationReader(section, nameof(LlamaEmbeddingOptions));
            var defaults = new LlamaEmbeddingOptions();
            var options = new LlamaEmbeddingOptions
            {
                Pooling = reader.Enum<EmbeddingPooling>(nameof(LlamaEmbeddingOptions.Pooling)) ?? defaults.Pooling,
                Normalize = reader.Boolean(nameof(LlamaEmbeddingOptions.Normalize)) ?? defaults.Normalize,
                MaxBatchInputs = reader.Int32(nameof(LlamaEmbeddingOptions.MaxBatchInputs)) ?? defaults.MaxBatchInputs,
            };
            reader.ThrowIfUnknownKeys();
            return reader.Build(() =>
            {
                options.Validate();
                return options;
            });
        }
    }
}
