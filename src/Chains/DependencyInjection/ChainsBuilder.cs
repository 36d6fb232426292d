namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// What <see cref="ChainsServiceCollectionExtensions.AddChains(IServiceCollection, Action{ChainsOptions}?)"/> returns:
/// the service collection, for back-end packages to extend. A store registered through the builder (for example
/// <c>AddPgvectorStore</c> on it) replaces the in-process default <c>AddChains</c> registered for the same service;
/// the same call on <see cref="IServiceCollection"/> keeps the usual rule that an earlier registration wins.
/// </summary>
public sealed class ChainsBuilder
{
    internal ChainsBuilder(IServiceCollection services) => Services = services;

    /// <summary>Gets the service collection the registrations go to.</summary>
    public IServiceCollection Services { get; }
}
