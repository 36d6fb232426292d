using Chains.DependencyInjection;
using Chains.Indexes;
using Chains.Pgvector;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a pgvector store as <see cref="PgvectorStore"/> and <see cref="IVectorStore"/>, from options in
/// code or from configuration, without a key or keyed (several stores, e.g. one table per embedding model).</summary>
/// <remarks>
/// <para>From configuration the keys are the <see cref="PgvectorStoreOptions"/> property names plus
/// <c>ConnectionString</c>; <c>Index</c>, <c>Query</c> and <c>Retry</c> are sub-sections:</para>
/// <code>
/// "Pgvector": {
///   "ConnectionString": "Host=db;Database=app;Username=app;Password=...",
///   "Table": "docs", "Dimensions": 384, "Distance": "Cosine",
///   "Index": { "Kind": "Hnsw", "M": 16, "EfConstruction": 64 },
///   "Query": { "EfSearch": 100, "IterativeScan": "RelaxedOrder" },
///   "Retry": { "MaxRetries": 4, "InitialDelay": "00:00:00.200", "MaxDelay": "00:00:05" }
/// }
/// </code>
/// <para>The section is read and validated at registration: a bad value, a missing <c>Dimensions</c> or an unknown key
/// fails then, with a message naming the full key path (the connection string's value is never shown). Without a
/// <c>ConnectionString</c> the store uses the registered <see cref="NpgsqlDataSource"/>.</para>
/// </remarks>
public static class PgvectorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a pgvector store (with <c>TryAdd</c>, so an earlier registration wins). Without a connection string the
    /// store uses the <see cref="NpgsqlDataSource"/> registered in the container, which must be built with
    /// <c>UseVector()</c> and stays owned by the container. With one, a data source is built with <c>UseVector()</c> and
    /// registered as a singleton the container disposes. The options (and the connection string) are validated now, so
    /// a bad value fails at start-up rather than on first use. The registered <see cref="ILoggerFactory"/> is used
    /// unless the options name one.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="options">The store options.</param>
    /// <param name="connectionString">An Npgsql connection string, or <see langword="null"/> to reuse the registered data source.</param>
    /// <param name="lifetime">The store's lifetime (default singleton).</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The connection string or an option is invalid; the message names it.</exception>
    public static IServiceCollection AddPgvectorStore(this IServiceCollection services, PgvectorStoreOptions options, string? connectionString = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services, null, Checked(options, connectionString), lifetime);
        return services;
    }

    /// <summary>Registers a pgvector store (with <c>TryAdd</c>) with its options and connection string read now from
    /// <paramref name="configuration"/>; otherwise as <see cref="AddPgvectorStore(IServiceCollection, PgvectorStoreOptions, string?, ServiceLifetime)"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section, e.g. <c>configuration.GetSection("Chains:Pgvector")</c>.</param>
    /// <param name="lifetime">The store's lifetime (default singleton).</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The section is missing, or holds an invalid value or an unknown key; the message names the key path.</exception>
    public static IServiceCollection AddPgvectorStore(this IServiceCollection services, IConfiguration configuration, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services, null, Read(configuration), lifetime);
        return services;
    }

    /// <summary>Registers a pgvector store as <see cref="PgvectorStore"/> and <see cref="IVectorStore"/> keyed by
    /// <paramref name="serviceKey"/> (with <c>TryAdd</c>). Without a connection string it uses the
    /// <see cref="NpgsqlDataSource"/> registered under the same key, else the one registered without a key; with one, it
    /// gets a data source of its own, which the container disposes.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The service key.</param>
    /// <param name="options">The store options.</param>
    /// <param name="connectionString">An Npgsql connection string, or <see langword="null"/> to reuse a registered data source.</param>
    /// <param name="lifetime">The store's lifetime (default singleton).</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="serviceKey"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The connection string or an option is invalid; the message names it.</exception>
    public static IServiceCollection AddKeyedPgvectorStore(this IServiceCollection services, object serviceKey, PgvectorStoreOptions options, string? connectionString = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        AddCore(services, serviceKey, Checked(options, connectionString), lifetime);
        return services;
    }

    /// <summary>Registers a pgvector store keyed by <paramref name="serviceKey"/>, with its options and connection
    /// string read now from <paramref name="configuration"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The service key.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <param name="lifetime">The store's lifetime (default singleton).</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The section is missing, or holds an invalid value or an unknown key; the message names the key path.</exception>
    public static IServiceCollection AddKeyedPgvectorStore(this IServiceCollection services, object serviceKey, IConfiguration configuration, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        AddCore(services, serviceKey, Read(configuration), lifetime);
        return services;
    }

    /// <summary>Registers a pgvector store as <see cref="PgvectorStore"/> and makes it the <see cref="IVectorStore"/>,
    /// replacing the in-process store <c>AddChains</c> registered (or any earlier <see cref="IVectorStore"/>).</summary>
    /// <param name="builder">The builder <c>AddChains</c> returned.</param>
    /// <param name="options">The store options.</param>
    /// <param name="connectionString">An Npgsql connection string, or <see langword="null"/> to reuse the registered data source.</param>
    /// <param name="lifetime">The store's lifetime (default singleton).</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The connection string or an option is invalid; the message names it.</exception>
    public static ChainsBuilder AddPgvectorStore(this ChainsBuilder builder, PgvectorStoreOptions options, string? connectionString = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddCore(builder.Services, null, Checked(options, connectionString), lifetime, replaceVectorStore: true);
        return builder;
    }

    /// <summary>Registers a pgvector store read from <paramref name="configuration"/> and makes it the
    /// <see cref="IVectorStore"/>, replacing the in-process store <c>AddChains</c> registered.</summary>
    /// <param name="builder">The builder <c>AddChains</c> returned.</param>
    /// <param name="configuration">The section holding the options, e.g. <c>configuration.GetSection("Chains:Pgvector")</c>.</param>
    /// <param name="lifetime">The store's lifetime (default singleton).</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configuration"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The section is missing, or holds an invalid value or an unknown key; the message names the key path.</exception>
    public static ChainsBuilder AddPgvectorStore(this ChainsBuilder builder, IConfiguration configuration, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddCore(builder.Services, null, Read(configuration), lifetime, replaceVectorStore: true);
        return builder;
    }

    private static StoreSettings Checked(PgvectorStoreOptions options, string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (connectionString is not null)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
            {
                throw new ArgumentException($"The connection string passed to AddPgvectorStore is invalid: {ex.Message}", nameof(connectionString), ex);
            }
        }

        return new StoreSettings(options, connectionString, FromConfiguration: false);
    }

    private static StoreSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var reader = new ConfigurationReader(configuration, nameof(PgvectorStoreOptions));
        var connectionString = reader.String("ConnectionString", secret: true);
        var defaults = new PgvectorStoreOptions { Dimensions = 1 };
        reader.Require(nameof(PgvectorStoreOptions.Dimensions));
        var dimensions = reader.Int32(nameof(PgvectorStoreOptions.Dimensions));
        var schema = reader.String(nameof(PgvectorStoreOptions.Schema));
        var table = reader.String(nameof(PgvectorStoreOptions.Table));
        var distance = reader.Enum<PgvectorDistance>(nameof(PgvectorStoreOptions.Distance));
        var index = reader.Section(nameof(PgvectorStoreOptions.Index)) is { } indexSection ? ReadIndex(indexSection) : null;
        var halfPrecision = reader.Boolean(nameof(PgvectorStoreOptions.HalfPrecision));
        var textSearchConfig = reader.String(nameof(PgvectorStoreOptions.TextSearchConfig));
        var fullTextSearch = reader.Boolean(nameof(PgvectorStoreOptions.FullTextSearch));
        var query = reader.Section(nameof(PgvectorStoreOptions.Query)) is { } querySection ? ReadQuery(querySection, defaults.Query) : null;
        var copyThreshold = reader.Int32(nameof(PgvectorStoreOptions.CopyThreshold));
        var bulkBatchSize = reader.Int32(nameof(PgvectorStoreOptions.BulkBatchSize));
        var bulkParallelism = reader.Int32(nameof(PgvectorStoreOptions.BulkParallelism));
        var indexBuildMemory = reader.Int32(nameof(PgvectorStoreOptions.IndexBuildMemoryMegabytes));
        var ensureSchema = reader.Boolean(nameof(PgvectorStoreOptions.EnsureSchemaOnFirstUse));
        var retry = reader.Section(nameof(PgvectorStoreOptions.Retry)) is { } retrySection ? ReadRetry(retrySection) : null;
        reader.ThrowIfUnknownKeys();
        if (dimensions is null)
        {
            throw reader.Missing(nameof(PgvectorStoreOptions.Dimensions), "Set it to the embedding model's output size, e.g. 384 for all-MiniLM-L6-v2.");
        }

        if (connectionString is not null)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
            {
                throw reader.Invalid("ConnectionString", $"which is not a valid Npgsql connection string: {ex.Message}", ex);
            }
        }

        var options = reader.Build(() =>
        {
            var o = new PgvectorStoreOptions
            {
                Dimensions = dimensions.Value,
                Schema = schema ?? defaults.Schema,
                Table = table ?? defaults.Table,
                Distance = distance ?? defaults.Distance,
                Index = index ?? defaults.Index,
                HalfPrecision = halfPrecision ?? defaults.HalfPrecision,
                TextSearchConfig = textSearchConfig ?? defaults.TextSearchConfig,
                FullTextSearch = fullTextSearch ?? defaults.FullTextSearch,
                Query = query ?? defaults.Query,
                CopyThreshold = copyThreshold ?? defaults.CopyThreshold,
                BulkBatchSize = bulkBatchSize ?? defaults.BulkBatchSize,
                BulkParallelism = bulkParallelism ?? defaults.BulkParallelism,
                IndexBuildMemoryMegabytes = indexBuildMemory,
                EnsureSchemaOnFirstUse = ensureSchema ?? defaults.EnsureSchemaOnFirstUse,
                Retry = retry ?? defaults.Retry,
            };
            o.Validate();
            return o;
        });
        return new StoreSettings(options, connectionString, FromConfiguration: true);
    }

    private static PgvectorIndex ReadIndex(IConfigurationSection section)
    {
        var reader = new ConfigurationReader(section, nameof(PgvectorIndex));
        var kind = reader.Enum<PgvectorIndexKind>(nameof(PgvectorIndex.Kind)) ?? PgvectorIndexKind.Hnsw;
        var m = reader.Int32(nameof(PgvectorIndex.M));
        var efConstruction = reader.Int32(nameof(PgvectorIndex.EfConstruction));
        var lists = reader.Int32(nameof(PgvectorIndex.Lists));
        reader.ThrowIfUnknownKeys();
        var stray = kind switch
        {
            PgvectorIndexKind.Hnsw when lists is not null => nameof(PgvectorIndex.Lists),
            PgvectorIndexKind.IvfFlat when m is not null || efConstruction is not null => m is not null ? nameof(PgvectorIndex.M) : nameof(PgvectorIndex.EfConstruction),
            PgvectorIndexKind.None when m is not null || efConstruction is not null || lists is not null => m is not null ? nameof(PgvectorIndex.M) : efConstruction is not null ? nameof(PgvectorIndex.EfConstruction) : nameof(PgvectorIndex.Lists),
            _ => null,
        };
        if (stray is not null)
        {
            throw reader.Invalid(stray, $"but it does not apply to a {kind} index (M and EfConstruction are HNSW settings, Lists is an IVFFlat setting). Remove it or change '{reader.KeyPath(nameof(PgvectorIndex.Kind))}'.");
        }

        return reader.Build(() => kind switch
        {
            PgvectorIndexKind.Hnsw => PgvectorIndex.Hnsw(m ?? 16, efConstruction ?? 64),
            PgvectorIndexKind.IvfFlat => PgvectorIndex.IvfFlat(lists ?? 100),
            _ => PgvectorIndex.None,
        });
    }

    private static PgvectorQueryOptions ReadQuery(IConfigurationSection section, PgvectorQueryOptions defaults)
    {
        var reader = new ConfigurationReader(section, nameof(PgvectorQueryOptions));
        var efSearch = reader.Int32(nameof(PgvectorQueryOptions.EfSearch));
        var probes = reader.Int32(nameof(PgvectorQueryOptions.Probes));
        var iterativeScan = reader.Enum<PgvectorIterativeScan>(nameof(PgvectorQueryOptions.IterativeScan));
        var maxScanTuples = reader.Int32(nameof(PgvectorQueryOptions.MaxScanTuples));
        var exact = reader.Boolean(nameof(PgvectorQueryOptions.Exact));
        reader.ThrowIfUnknownKeys();
        return reader.Build(() => new PgvectorQueryOptions
        {
            EfSearch = efSearch ?? defaults.EfSearch,
            Probes = probes ?? defaults.Probes,
            IterativeScan = iterativeScan ?? defaults.IterativeScan,
            MaxScanTuples = maxScanTuples ?? defaults.MaxScanTuples,
            Exact = exact ?? defaults.Exact,
        });
    }

    private static PgvectorRetryOptions ReadRetry(IConfigurationSection section)
    {
        var reader = new ConfigurationReader(section, nameof(PgvectorRetryOptions));
        var defaults = new PgvectorRetryOptions();
        var maxRetries = reader.Int32(nameof(PgvectorRetryOptions.MaxRetries));
        var initialDelay = reader.Duration(nameof(PgvectorRetryOptions.InitialDelay));
        var maxDelay = reader.Duration(nameof(PgvectorRetryOptions.MaxDelay));
        reader.ThrowIfUnknownKeys();
        return reader.Build(() => new PgvectorRetryOptions
        {
            MaxRetries = maxRetries ?? defaults.MaxRetries,
            InitialDelay = initialDelay ?? defaults.InitialDelay,
            MaxDelay = maxDelay ?? defaults.MaxDelay,
        });
    }

    private static void AddCore(IServiceCollection services, object? serviceKey, StoreSettings settings, ServiceLifetime lifetime, bool replaceVectorStore = false)
    {
        Func<IServiceProvider, NpgsqlDataSource> dataSource;
        if (settings.ConnectionString is not { } connectionString)
        {
            dataSource = sp => (serviceKey is null ? null : sp.GetKeyedService<NpgsqlDataSource>(serviceKey)) ?? sp.GetService<NpgsqlDataSource>() ?? throw new InvalidOperationException(
                "AddPgvectorStore without a connection string reuses a registered NpgsqlDataSource, but none is registered. Register one built with UseVector(), or pass a connection string.");
        }
        else
        {
            services.TryAdd(new ServiceDescriptor(typeof(OwnedDataSource), serviceKey, (sp, _) =>
            {
                var builder = new NpgsqlDataSourceBuilder(connectionString);
                builder.UseVector();
                if (sp.GetService<ILoggerFactory>() is { } loggerFactory)
                {
                    builder.UseLoggerFactory(loggerFactory);
                }

                return new OwnedDataSource(builder.Build());
            }, ServiceLifetime.Singleton));
            dataSource = sp => (serviceKey is null ? sp.GetRequiredService<OwnedDataSource>() : sp.GetRequiredKeyedService<OwnedDataSource>(serviceKey)).DataSource;
        }

        var options = settings.Options;
        services.TryAdd(new ServiceDescriptor(
            typeof(PgvectorStore),
            serviceKey,
            (sp, _) =>
            {
                var effective = options.LoggerFactory is null ? options with { LoggerFactory = sp.GetService<ILoggerFactory>() } : options;
                if (settings.FromConfiguration && sp.GetService<TimeProvider>() is { } timeProvider)
                {
                    effective = effective with { TimeProvider = timeProvider };
                }

                return dataSource(sp).AsVectorStore(effective);
            },
            lifetime));

        var vectorStore = new ServiceDescriptor(
            typeof(IVectorStore),
            serviceKey,
            (sp, _) => serviceKey is null ? sp.GetRequiredService<PgvectorStore>() : sp.GetRequiredKeyedService<PgvectorStore>(serviceKey),
            lifetime);
        if (replaceVectorStore)
        {
            services.RemoveAll<IVectorStore>();
            services.Add(vectorStore);
        }
        else
        {
            services.TryAdd(vectorStore);
        }
    }

    /// <summary>Validated options and connection string, and whether they came from configuration (whose clock then
    /// comes from the container).</summary>
    private sealed record StoreSettings(PgvectorStoreOptions Options, string? ConnectionString, bool FromConfiguration);

    /// <summary>A data source the container built for the store; the container disposes it, the stores do not.</summary>
    private sealed class OwnedDataSource(NpgsqlDataSource dataSource) : IAsyncDisposable, IDisposable
    {
        public NpgsqlDataSource DataSource { get; } = dataSource;

        public ValueTask DisposeAsync() => DataSource.DisposeAsync();

        public void Dispose() => DataSource.Dispose();
    }
}
