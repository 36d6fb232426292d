using System.Runtime.CompilerServices;
using Chains.Prompts;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Runnables;

public sealed class RunnableSequenceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_SyncLambdas_RunsStepsInOrder()
    {
        var chain = Runnable.Lambda((int x) => x + 1).Pipe(x => x * 2).Pipe(x => $"={x}");

        Assert.Equal("=8", await chain.InvokeAsync(3, cancellationToken: Ct));
    }

    [Fact]
    public async Task InvokeAsync_AsyncLambdas_PassesTokenAndAwaitsEachStep()
    {
        var tokens = new List<CancellationToken>();
        var chain = Runnable.Lambda<int, int>(async (x, ct) =>
            {
                tokens.Add(ct);
                await Task.Yield();
                return x + 1;
            })
            .Pipe(async (int x, CancellationToken ct) =>
            {
                tokens.Add(ct);
                await Task.Yield();
                return x * 10;
            });

        Assert.Equal(40, await chain.InvokeAsync(3, cancellationToken: Ct));
        Assert.All(tokens, t => Assert.Equal(Ct, t));
        Assert.Equal(2, tokens.Count);
    }

    [Fact]
    public async Task Pipe_Runnables_ComposesTypes()
    {
        var parse = Runnable.Lambda((string s) => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture));
        var square = Runnable.Lambda((int x) => (long)x * x);

        Assert.Equal(144L, await parse.Pipe(square).InvokeAsync("12", cancellationToken: Ct));
    }

    [Fact]
    public void Pipe_NullStep_ThrowsArgumentNull()
    {
        var step = Runnable.Lambda((int x) => x);

        Assert.Throws<ArgumentNullException>("next", () => step.Pipe((Runnable<int, int>)null!));
        Assert.Throws<ArgumentNullException>("first", () => ((Runnable<int, int>)null!).Pipe(step));
    }

    [Fact]
    public async Task StreamAsync_LastStepStreams_YieldsEachChunk()
    {
        var chain = Runnable.Lambda((int n) => n).Pipe(Runnable.Streaming<int, string>((n, _, ct) => Letters(n, ct)));

        Assert.Equal(["a", "b", "c"], await chain.StreamAsync(3, cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task StreamAsync_StreamingStepIntoLambda_ConcatenatesStringChunks()
    {
        var received = new List<string>();
        var chain = Runnable.Streaming<int, string>((n, _, ct) => Letters(n, ct))
            .Pipe(s =>
            {
                received.Add(s);
                return s.ToUpperInvariant();
            });

        var chunks = await chain.StreamAsync(4, cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(["ABCD"], chunks);
        Assert.Equal(["abcd"], received);
    }

    [Fact]
    public async Task StreamAsync_StreamingModelIntoLambda_MergesResponseChunks()
    {
        var client = FakeChatClient.Streaming("Hel", "lo", " world");
        ChatResponse? merged = null;
        var chain = Runnable.Lambda((string topic) => (PromptValue)$"Say {topic}")
            .Pipe(client.AsRunnable())
            .Pipe(r =>
            {
                merged = r;
                return r.Text;
            });

        var chunks = await chain.StreamAsync("hello", cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(["Hello world"], chunks);
        Assert.NotNull(merged);
        Assert.Equal("Hello world", Assert.Single(merged.Messages).Text);
        Assert.Equal(ChatRole.Assistant, merged.Messages[0].Role);
        Assert.Equal("Say hello", Assert.Single(client.LastMessages!).Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamAsync_PromptModelPassthrough_FirstChunkArrivesBeforeModelFinishes(bool observed)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        var client = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => Gated(ct) };
        var chain = Runnable.Lambda((string topic) => (PromptValue)$"Say {topic}")
            .Pipe(client.AsRunnable())
            .Pipe(Runnable.Passthrough<ChatResponse>());
        var sink = new CollectingSink();
        var options = observed ? new RunOptions { EventSink = sink } : null;

        await using var chunks = chain.StreamAsync("hello", options, Ct).GetAsyncEnumerator(Ct);
        Assert.True(await chunks.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct));

        Assert.Equal("Hel", chunks.Current.Text);
        Assert.False(finished);
        release.SetResult();
        var rest = new List<string>();
        while (await chunks.MoveNextAsync())
        {
            rest.Add(chunks.Current.Text);
        }

        Assert.Equal(["lo", "!"], rest);
        Assert.True(finished);
        Assert.Equal("Say hello", Assert.Single(client.LastMessages!).Text);
        if (observed)
        {
            Assert.Equal(3, sink.Events.OfType<RunChunkEvent>().Count(e => e.Name == "fake-model"));
            var output = Assert.IsType<ChatResponse>(sink.Events.OfType<RunCompletedEvent>().Single(e => e.Name == "Sequence").Output);
            Assert.Equal("Hello!", output.Text);
        }

        async IAsyncEnumerable<ChatResponseUpdate> Gated([EnumeratorCancellation] CancellationToken ct)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Hel") { MessageId = "m1" };
            await release.Task.WaitAsync(ct);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "lo") { MessageId = "m1" };
            yield return new ChatResponseUpdate(ChatRole.Assistant, "!") { MessageId = "m1" };
            finished = true;
        }
    }

    [Fact]
    public async Task TransformAsync_PassthroughThenLambda_CombinesInputOnce()
    {
        var calls = 0;
        var chain = Runnable.Passthrough<string>().Pipe(s =>
        {
            calls++;
            return s.Length;
        });

        var chunks = await chain.TransformAsync(Chunks("ab", "c"), cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal([3], chunks);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task StreamEventsAsync_ThreeStepPipe_OneSequenceRootWithThreeChildrenInOrder()
    {
        var chain = Runnable.Lambda((int x) => x + 1, "a").Pipe(Runnable.Lambda((int x) => x * 2, "b")).Pipe(Runnable.Lambda((int x) => x - 3, "c"));

        var events = await chain.StreamEventsAsync(1, new RunOptions { Tags = ["exp"] }, Ct).ToListAsync(Ct);

        var root = Assert.IsType<RunStartedEvent>(events[0]);
        Assert.Equal("Sequence", root.Name);
        Assert.Null(root.ParentRunId);
        Assert.Equal(StepKinds.Chain, root.Info.StepKind);
        var rootEnd = Assert.IsType<RunCompletedEvent>(events[^1]);
        Assert.Equal(root.RunId, rootEnd.RunId);
        Assert.Equal(1, rootEnd.Output);
        Assert.Single(events, e => e.ParentRunId is null && e.Kind == RunEventKind.Started);

        var starts = events.OfType<RunStartedEvent>().Where(e => e.ParentRunId is not null).ToList();
        Assert.Equal(["a", "b", "c"], starts.Select(e => e.Name));
        Assert.All(starts, e => Assert.Equal(root.RunId, e.ParentRunId));
        Assert.All(starts, e => Assert.Equal(StepKinds.Lambda, e.Info.StepKind));
        var ends = events.OfType<RunCompletedEvent>().Where(e => e.ParentRunId is not null).ToList();
        Assert.Equal(["a", "b", "c"], ends.Select(e => e.Name));
        Assert.Equal([2, 4, 1], ends.Select(e => (int)e.Output!));
        Assert.Equal(3, starts.Select(e => e.RunId).Distinct().Count());
        Assert.All(events, e => Assert.Equal(["exp"], e.Tags));

        // Each step starts before it produces anything and ends after its last chunk.
        foreach (var start in starts)
        {
            var own = events.Where(e => e.RunId == start.RunId).ToList();
            Assert.Same(start, own[0]);
            Assert.IsType<RunCompletedEvent>(own[^1]);
        }
    }

    [Fact]
    public async Task InvokeAsync_ThreeStepPipeWithSink_OneSequenceRootWithThreeChildren()
    {
        var sink = new CollectingSink();
        var chain = Runnable.Lambda((int x) => x + 1, "a").Pipe(Runnable.Lambda((int x) => x * 2, "b")).Pipe(Runnable.Lambda((int x) => x - 3, "c"));

        Assert.Equal(1, await chain.InvokeAsync(1, new RunOptions { EventSink = sink }, Ct));

        var events = sink.Events;
        Assert.Equal(
            ["Started Sequence", "Started a", "Completed a", "Started b", "Completed b", "Started c", "Completed c", "Completed Sequence"],
            events.Select(e => $"{e.Kind} {e.Name}"));
        var root = events[0];
        Assert.All(events.Skip(1).SkipLast(1), e => Assert.Equal(root.RunId, e.ParentRunId));
        Assert.DoesNotContain(events, e => e is RunChunkEvent);
    }

    [Fact]
    public async Task StreamEventsAsync_NestedPipes_AreFlattenedIntoOneSequence()
    {
        var inner = Runnable.Lambda((int x) => x * 2, "b").Pipe(Runnable.Lambda((int x) => x - 3, "c"));
        var chain = Runnable.Lambda((int x) => x + 1, "a").Pipe(inner).Pipe(Runnable.Lambda((int x) => x, "d"));

        var events = await chain.StreamEventsAsync(1, cancellationToken: Ct).ToListAsync(Ct);

        var starts = events.OfType<RunStartedEvent>().ToList();
        Assert.Equal(["Sequence", "a", "b", "c", "d"], starts.Select(e => e.Name));
        Assert.All(starts.Skip(1), e => Assert.Equal(starts[0].RunId, e.ParentRunId));
    }

    [Fact]
    public async Task StreamEventsAsync_NamedSubChain_IsItsOwnNode()
    {
        var sub = Runnable.Lambda((int x) => x * 2, "b").Pipe(Runnable.Lambda((int x) => x - 3, "c")).WithName("sub");
        var chain = Runnable.Lambda((int x) => x + 1, "a").Pipe(sub);

        var events = await chain.StreamEventsAsync(1, cancellationToken: Ct).ToListAsync(Ct);

        var starts = events.OfType<RunStartedEvent>().ToDictionary(e => e.Name);
        Assert.Equal(["Sequence", "a", "sub", "b", "c"], starts.Keys);
        Assert.Null(starts["Sequence"].ParentRunId);
        Assert.Equal(starts["Sequence"].RunId, starts["a"].ParentRunId);
        Assert.Equal(starts["Sequence"].RunId, starts["sub"].ParentRunId);
        Assert.Equal(starts["sub"].RunId, starts["b"].ParentRunId);
        Assert.Equal(starts["sub"].RunId, starts["c"].ParentRunId);
        Assert.Equal(1, events.OfType<RunCompletedEvent>().Single(e => e.Name == "sub").Output);
    }

    private static async IAsyncEnumerable<string> Letters(int count, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return ((char)('a' + i)).ToString();
        }
    }

    private static async IAsyncEnumerable<T> Chunks<T>(params T[] chunks)
    {
        foreach (var chunk in chunks)
        {
            await Task.Yield();
            yield return chunk;
        }
    }
}
