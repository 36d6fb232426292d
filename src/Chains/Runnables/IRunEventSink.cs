namespace Chains.Runnables;

/// <summary>Receives the events of a run and of every step nested in it.</summary>
/// <remarks>
/// Events of parallel steps arrive from several threads at once, so implementations must be thread-safe.
/// <see cref="OnEvent"/> runs inline on the step's thread: keep it fast and do not throw.
/// </remarks>
public interface IRunEventSink
{
    /// <summary>Called once for each event, in the order each step produces them.</summary>
    /// <param name="runEvent">The start, chunk, end or error event.</param>
    void OnEvent(RunEvent runEvent);
}
