using System.Collections.Concurrent;
using Chains.Indexes;
using Chains.Runnables;

namespace Chains.Tests.Indexes.Retrievers;

/// <summary>A retriever whose answer a test sets with a callback; it records every query and the peak concurrency.</summary>
public sealed class FakeRetriever(Func<string, IReadOnlyList<Document>> answer) : Retriever
{
    private readonly ConcurrentQueue<string> _queries = new();
    private int _running;
    private int _peak;

    public IReadOnlyList<string> Queries => _queries.ToArray();

    public int PeakConcurrency => Volatile.Read(ref _peak);

    protected internal override async ValueTask<IReadOnlyList<Document>> InvokeCoreAsync(string input, RunContext context, CancellationToken cancellationToken)
    {
        _queries.Enqueue(input);
        var running = Interlocked.Increment(ref _running);
        int peak;
        while (running > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, running, peak) != peak)
        {
        }

        try
        {
            await Task.Yield();
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, cancellationToken);
            return answer(input);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
