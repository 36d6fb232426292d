using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Chains.Tests.Runnables;

/// <summary>A <see cref="FakeTimeProvider"/> front that reports each timer created, so a test knows a delay is armed
/// (and for how long) before it advances the clock.</summary>
public sealed class RecordingTimeProvider : TimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake { get; } = new();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    public void Advance(TimeSpan delta) => Fake.Advance(delta);

    /// <summary>Waits (at most 10 s, as a guard against a hang) for the next timer to be created and returns its due time.</summary>
    public async Task<TimeSpan> NextTimerAsync(CancellationToken cancellationToken)
        => await _timers.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);

    public bool TryGetTimer(out TimeSpan dueTime) => _timers.Reader.TryRead(out dueTime);
}
