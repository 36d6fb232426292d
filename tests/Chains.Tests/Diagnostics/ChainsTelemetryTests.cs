using System.Diagnostics;
using System.Runtime.CompilerServices;
using Chains.Runnables;
using Chains.Testing.Diagnostics;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Diagnostics;

[Collection(ListenerSensitiveCollection.Name)]
public sealed class ChainsTelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_NoListener_NoActivityInsideSteps()
    {
        Activity? seen = new("placeholder");
        var chain = Runnable.Lambda((int x) => x).Pipe(x =>
        {
            seen = Activity.Current;
            return x;
        });

        await chain.InvokeAsync(1, cancellationToken: Ct);

        Assert.Null(seen);
    }

    [Fact]
    public async Task InvokeAsync_Listener_SpanPerStepNestedUnderTheSequence()
    {
        using var telemetry = Capture();
        string? currentInsideB = null;
        var chain = Runnable.Lambda((int x) => x + 1, "a")
            .Pipe(Runnable.Lambda(
                (int x) =>
                {
                    currentInsideB = Activity.Current?.OperationName;
                    return x * 2;
                },
                "b"))
            .Pipe(Runnable.Lambda((int x) => x - 1, "c"));

        Assert.Equal(3, await chain.InvokeAsync(1, new RunOptions { Tags = ["exp"] }, Ct));

        var byName = telemetry.Spans.ToDictionary(a => a.OperationName);
        Assert.Equal(["Sequence", "a", "b", "c"], byName.Keys.Order(StringComparer.Ordinal));
        var root = byName["Sequence"];
        Assert.Equal(default, root.ParentSpanId);
        foreach (var child in new[] { byName["a"], byName["b"], byName["c"] })
        {
            Assert.Equal(root.TraceId, child.TraceId);
            Assert.Equal(root.SpanId, child.ParentSpanId);
            Assert.Equal(ActivityKind.Internal, child.Kind);
            Assert.Equal(ActivityStatusCode.Ok, child.Status);
            Assert.Equal(StepKinds.Lambda, child.GetTagItem("chains.step.kind"));
            Assert.Equal(child.OperationName, child.GetTagItem("chains.step.name"));
            Assert.Equal(["exp"], Assert.IsType<string[]>(child.GetTagItem("chains.tags")));
        }

        Assert.Equal("b", currentInsideB);
    }

    [Fact]
    public async Task InvokeAsync_ListenerAndAmbientActivity_RootSpanIsChildOfAmbient()
    {
        using var telemetry = Capture();
        using var testSource = new ActivitySource("Chains.Tests.Ambient");
        using var testListener = new ActivityListener
        {
            ShouldListenTo = s => s == testSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(testListener);

        using (var ambient = testSource.StartActivity("request"))
        {
            Assert.NotNull(ambient);
            await Runnable.Lambda((int x) => x, "only").InvokeAsync(1, cancellationToken: Ct);
            Assert.Same(ambient, Activity.Current);

            var span = Assert.Single(telemetry.Spans);
            Assert.Equal(ambient.TraceId, span.TraceId);
            Assert.Equal(ambient.SpanId, span.ParentSpanId);
        }
    }

    [Fact]
    public async Task StreamAsync_Listener_NestedSpansFollowTheRunTree()
    {
        using var telemetry = Capture();
        var sub = Runnable.Lambda((string s) => s + "!", "b").Pipe(Runnable.Streaming<string, string>((s, _, ct) => Split(s, ct), "c")).WithName("sub");
        var chain = Runnable.Lambda((string s) => s.ToUpperInvariant(), "a").Pipe(sub);

        var chunks = await chain.StreamAsync("hi", cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(["H", "I", "!"], chunks);
        var byName = telemetry.Spans.ToDictionary(a => a.OperationName);
        Assert.Equal(["Sequence", "a", "b", "c", "sub"], byName.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(byName["Sequence"].SpanId, byName["a"].ParentSpanId);
        Assert.Equal(byName["Sequence"].SpanId, byName["sub"].ParentSpanId);
        Assert.Equal(byName["sub"].SpanId, byName["b"].ParentSpanId);
        Assert.Equal(byName["sub"].SpanId, byName["c"].ParentSpanId);
        Assert.All(byName.Values, a => Assert.Equal(byName["Sequence"].TraceId, a.TraceId));
        Assert.Null(Activity.Current);
    }

    [Fact]
    public async Task InvokeAsync_StepFails_SpanHasErrorStatusAndType()
    {
        using var telemetry = Capture();
        var step = Runnable.Lambda<int, int>(_ => throw new FormatException("bad"), "broken");

        await Assert.ThrowsAsync<FormatException>(async () => await step.InvokeAsync(1, cancellationToken: Ct));

        var span = Assert.Single(telemetry.Spans);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("bad", span.StatusDescription);
        Assert.Equal(typeof(FormatException).FullName, span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task InvokeAsync_ChatModel_SpanHasGenAiAttributes()
    {
        using var telemetry = Capture();
        var client = new FakeChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                ModelId = "gpt-test-2025",
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 5 },
            }),
        };
        var chain = Runnable.Lambda((string s) => (Chains.Prompts.PromptValue)s, "prompt").Pipe(client.AsRunnable(new ChatOptions { ModelId = "gpt-test", Temperature = 0.5f }));

        await chain.InvokeAsync("hello", cancellationToken: Ct);

        var model = telemetry.Spans.Single(a => a.GetTagItem("chains.step.kind") is StepKinds.ChatModel);
        Assert.Equal("chat gpt-test", model.OperationName);
        Assert.Equal(ActivityKind.Client, model.Kind);
        Assert.Equal("chat", model.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("fake", model.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("gpt-test", model.GetTagItem("gen_ai.request.model"));
        Assert.Equal(0.5f, model.GetTagItem("gen_ai.request.temperature"));
        Assert.Equal("gpt-test-2025", model.GetTagItem("gen_ai.response.model"));
        Assert.Equal(new[] { "stop" }, model.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Equal(12L, model.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(5L, model.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(telemetry.Spans.Single(a => a.OperationName == "Sequence").SpanId, model.ParentSpanId);
    }

    [Fact]
    public async Task StreamAsync_ChatModel_SpanHasGenAiAttributesFromUpdates()
    {
        using var telemetry = Capture();
        var client = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => Updates(ct) };

        var text = string.Concat((await client.AsRunnable().StreamAsync("hello", cancellationToken: Ct).ToListAsync(Ct)).Select(c => c.Text));

        Assert.Equal("Hi!", text);
        var model = Assert.Single(telemetry.Spans);
        Assert.Equal("chat fake-model", model.OperationName);
        Assert.Equal("chat", model.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("fake-model", model.GetTagItem("gen_ai.request.model"));
        Assert.Equal("fake-model-v2", model.GetTagItem("gen_ai.response.model"));
        Assert.Equal(7L, model.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(2L, model.GetTagItem("gen_ai.usage.output_tokens"));

        static async IAsyncEnumerable<ChatResponseUpdate> Updates([EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Hi") { ModelId = "fake-model-v2" };
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "!") { ModelId = "fake-model-v2", FinishReason = ChatFinishReason.Stop };
            yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 7, OutputTokenCount = 2 })] };
        }
    }

    [Fact]
    public async Task InvokeAsync_MeterListener_RecordsRunDurationPerStep()
    {
        using var telemetry = Capture();
        var chain = Runnable.Lambda((int x) => x, "ok-step").Pipe(Runnable.Lambda<int, int>(_ => throw new FormatException(), "bad-step"));

        await Assert.ThrowsAsync<FormatException>(async () => await chain.InvokeAsync(1, cancellationToken: Ct));

        var byName = telemetry.Measurements(ChainsTelemetry.RunDurationInstrument).ToDictionary(m => (string)m.Tags["chains.step.name"]!);
        Assert.Equal(["Sequence", "bad-step", "ok-step"], byName.Keys.Order(StringComparer.Ordinal));
        Assert.All(byName.Values, m => Assert.True(m.Value >= 0));
        Assert.Equal(StepKinds.Lambda, byName["ok-step"].Tags["chains.step.kind"]);
        Assert.False(byName["ok-step"].Tags.ContainsKey("error.type"));
        Assert.Equal(typeof(FormatException).FullName, byName["bad-step"].Tags["error.type"]);
        Assert.Equal(typeof(FormatException).FullName, byName["Sequence"].Tags["error.type"]);
    }

    private static async IAsyncEnumerable<string> Split(string s, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var c in s)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return c.ToString();
        }
    }

    /// <summary>Keeps every stopped span of the Chains source and every measurement of its meter.</summary>
    private static TelemetryCapture Capture() => new(ChainsTelemetry.SourceName, ChainsTelemetry.MeterName);
}
