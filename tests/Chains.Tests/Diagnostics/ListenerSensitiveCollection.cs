namespace Chains.Tests.Diagnostics;

/// <summary>
/// Tests that add process-wide <see cref="System.Diagnostics.ActivityListener"/>s or <see cref="System.Diagnostics.Metrics.MeterListener"/>s,
/// or that need nobody listening (allocation, responsiveness), run in this collection: alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ListenerSensitiveCollection
{
    public const string Name = "Listener-sensitive";
}
