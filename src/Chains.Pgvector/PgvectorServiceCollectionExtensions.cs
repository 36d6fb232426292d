using Chains.Indexes;
using Chains.Pgvector;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a pgvector store as <see cref="PgvectorStore"/> and <see cref="IVectorStore"/>.</summary>
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
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Func<IServiceProvider, NpgsqlDataSource> dataSource;
        if (connectionString is null)
        {
            dataSource = sp => sp.GetService<NpgsqlDataSource>() ?? throw new InvalidOperationException(
                "AddPgvectorStore without a connection string reuses a registered NpgsqlDataSource, but none is registered. Register one built with UseVector(), or pass a connection string.");
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
            {
                throw new ArgumentException($"The connection string passed to AddPgvectorStore is invalid: {ex.Message}", nameof(connectionString), ex);
            }

            services.TryAddSingleton(sp =>
            {
                var builder = new NpgsqlDataSourceBuilder(connectionString);
                builder.UseVector();
                if (sp.GetService<ILoggerFactory>() is { } loggerFactory)
                {
                    builder.UseLoggerFactory(loggerFactory);
                }

                return new OwnedDataSource(builder.Build());
            });
            dataSource = sp => sp.GetRequiredService<OwnedDataSource>().DataSource;
        }

        services.TryAdd(new ServiceDescriptor(
            typeof(PgvectorStore),
            sp => dataSource(sp).AsVectorStore(options.LoggerFactory is null ? options with { LoggerFactory = sp.GetService<ILoggerFactory>() } : options),
            lifetime));
        services.TryAdd(new ServiceDescriptor(typeof(IVectorStore), sp => sp.GetRequiredService<PgvectorStore>(), lifetime));
        return services;
    }

    /// <summary>A data source the container built for the store; the container disposes it, the stores do not.</summary>
    private sealed class OwnedDataSource(NpgsqlDataSource dataSource) : IAsyncDisposable, IDisposable
    {
        public NpgsqlDataSource DataSource { get; } = dataSource;

        public ValueTask DisposeAsync() => DataSource.DisposeAsync();

        public void Dispose() => DataSource.Dispose();
    }
}
