using System.Collections.Concurrent;
using Chains.Runnables;

namespace Chains.Tests.Fakes;

/// <summary>An event sink that keeps every event, thread-safely.</summary>
public sealed class CollectingSink : IRunEventSink
{
    private readonly ConcurrentQueue<RunEvent> _events = new();

    public IReadOnlyList<RunEvent> Events => _events.ToArray();

    public void OnEvent(RunEvent runEvent) => _events.Enqueue(runEvent);
}
