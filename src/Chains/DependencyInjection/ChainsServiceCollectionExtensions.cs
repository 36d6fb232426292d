using Chains.Agents.Graph;
using Chains.DependencyInjection;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Chains.Indexes.VectorStores;
using Chains.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Chains' clock and in-process stores, and returns the <see cref="ChainsBuilder"/> back-end packages
/// extend. Models are registered with Microsoft.Extensions.AI's own <c>AddChatClient</c> / <c>AddEmbeddingGenerator</c>
/// (or a back end's <c>AddLlamaChatClient</c>, <c>AddMiniLmEmbeddings</c>, which use them).</summary>
public static class ChainsServiceCollectionExtensions
{
    /// <summary>
    /// Registers, each with <c>TryAdd</c> (an earlier registration wins) and as a singleton (a store per scope would
    /// lose its data): <see cref="TimeProvider.System"/>, and the stores Chains' memory, indexing and agents use —
    /// <see cref="IChatHistoryStore"/>, <see cref="ICheckpointStore"/>, <see cref="IRecordManager"/> and
    /// <see cref="IVectorStore"/> — in process memory, or in local files where <paramref name="configure"/> names a path.
    /// The options are validated now; the stores are created on first use and disposed with the container.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options; <see langword="null"/> for in-memory stores.</param>
    /// <returns>A builder over <paramref name="services"/>, for back-end registrations.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static ChainsBuilder AddChains(this IServiceCollection services, Action<ChainsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new ChainsOptions();
        configure?.Invoke(options);
        options = options.Clone();
        options.Validate();
        return AddCore(services, options);
    }

    /// <summary>
    /// Registers what <see cref="AddChains(IServiceCollection, Action{ChainsOptions}?)"/> does, with the options read now
    /// from <paramref name="configuration"/> (keys named as the <see cref="ChainsOptions"/> properties, e.g.
    /// <c>Chains:ChatHistoryDirectory</c>). A missing section, a value that does not parse or is out of range, and an
    /// unknown value directly under the section (a misspelt key) each fail here, with a message that names the full key
    /// path and the value; sub-sections are left to back-end packages.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding the options, e.g. <c>configuration.GetSection("Chains")</c>.</param>
    /// <returns>A builder over <paramref name="services"/>, for back-end registrations.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The configuration is missing, holds an invalid value or an unknown key; the message names the key.</exception>
    public static ChainsBuilder AddChains(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var reader = new ConfigurationReader(configuration, nameof(ChainsOptions));
        var chatHistory = reader.String(nameof(ChainsOptions.ChatHistoryDirectory));
        var checkpoints = reader.String(nameof(ChainsOptions.CheckpointDirectory));
        var records = reader.String(nameof(ChainsOptions.RecordManagerPath));
        var dimension = reader.Int32(nameof(ChainsOptions.VectorDimension));
        var distance = reader.Enum<VectorDistance>(nameof(ChainsOptions.VectorDistance));
        reader.ThrowIfUnknownKeys(allowSections: true);
        var options = reader.Build(() =>
        {
            var o = new ChainsOptions
            {
                ChatHistoryDirectory = chatHistory,
                CheckpointDirectory = checkpoints,
                RecordManagerPath = records,
                VectorDimension = dimension,
                VectorDistance = distance ?? VectorDistance.Cosine,
            };
            o.Validate();
            return o;
        });
        return AddCore(services, options);
    }

    private static ChainsBuilder AddCore(IServiceCollection services, ChainsOptions options)
    {
        // Relative paths are resolved now, so a later change of the current directory does not move the data.
        var chatHistory = options.ChatHistoryDirectory is { } h ? Path.GetFullPath(h) : null;
        var checkpoints = options.CheckpointDirectory is { } c ? Path.GetFullPath(c) : null;
        var records = options.RecordManagerPath is { } r ? Path.GetFullPath(r) : null;
        var vectors = new InMemoryVectorStoreOptions { Dimension = options.VectorDimension, Distance = options.VectorDistance };

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IChatHistoryStore>(sp => chatHistory is null
            ? new InMemoryChatHistoryStore()
            : new FileChatHistoryStore(chatHistory, sp.GetService<ILoggerFactory>()?.CreateLogger<FileChatHistoryStore>()));
        services.TryAddSingleton<ICheckpointStore>(_ => checkpoints is null ? new InMemoryCheckpointStore() : new FileCheckpointStore(checkpoints));
        services.TryAddSingleton<IRecordManager>(_ => records is null ? new InMemoryRecordManager() : new FileRecordManager(records));
        services.TryAddSingleton<IVectorStore>(_ => new InMemoryVectorStore(vectors));
        return new ChainsBuilder(services);
    }
}
