using System.Diagnostics;
using Chains.Parsing;
using Chains.Prompts;
using Chains.Runnables;
using Chains.Testing.Diagnostics;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Chains.Tests.Diagnostics;

/// <summary>The chain's input in these tests.</summary>
public sealed record TelemetryQuestion(string Topic, string Text);

/// <summary>
/// What an application wired to the OpenTelemetry SDK really exports (in-memory exporter) from a prompt → model → parser
/// chain whose model is a chat client wrapped by M.E.AI's <see cref="OpenTelemetryChatClient"/>.
/// </summary>
[Collection(ListenerSensitiveCollection.Name)]
public sealed class OpenTelemetryExportTests
{
    // Markers that must never be exported unless sensitive data is switched on; Chinese to cover non-ASCII text.
    private const string SystemMarker = "SYS-4b2d 系统指令";
    private const string PromptMarker = "PROMPT-7f3a 月亮";
    private const string CompletionMarker = "COMPLETION-9c1e 太阳是恒星";

    private static readonly string[] SecretFragments = ["SYS-4b2d", "系统指令", "PROMPT-7f3a", "月亮", "COMPLETION-9c1e", "太阳是恒星"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_PromptModelParser_ExportsNestedSpansWithGenAiAndChainsAttributes(bool streaming)
    {
        using var telemetry = new Exported();
        var chain = Chain(telemetry, sensitive: false, FakeModel());

        var answer = await RunAsync(chain, streaming);

        Assert.Equal(CompletionMarker, answer);
        var spans = telemetry.Spans();
        var root = Assert.Single(spans, s => s.Source.Name == ChainsTelemetry.SourceName && s.ParentSpanId == default);
        Assert.Equal("ask", root.OperationName);
        Assert.Equal(StepKinds.Chain, root.GetTagItem("chains.step.kind"));
        Assert.Equal(["otel-export"], Assert.IsType<string[]>(root.GetTagItem("chains.tags")));

        var prompt = Assert.Single(spans, s => Equals(s.GetTagItem("chains.step.kind"), StepKinds.Prompt));
        var model = Assert.Single(spans, s => Equals(s.GetTagItem("chains.step.kind"), StepKinds.ChatModel));
        var parser = Assert.Single(spans, s => Equals(s.GetTagItem("chains.step.kind"), StepKinds.Parser));
        Assert.All([prompt, model, parser], s => Assert.Equal(root.SpanId, s.ParentSpanId));
        Assert.All(spans, s => Assert.Equal(root.TraceId, s.TraceId));
        Assert.All([root, prompt, model, parser], s => Assert.Equal(ActivityStatusCode.Ok, s.Status));
        Assert.Equal("ChatPromptTemplate", prompt.GetTagItem("chains.step.name"));
        Assert.Equal("StringOutputParser", parser.GetTagItem("chains.step.name"));

        // Our model step: a client span with the GenAI request and response attributes.
        Assert.Equal("chat gpt-test", model.OperationName);
        Assert.Equal(ActivityKind.Client, model.Kind);
        Assert.Equal("gpt-test", model.GetTagItem("chains.step.name"));
        Assert.Equal("chat", model.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("fake", model.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("gpt-test", model.GetTagItem("gen_ai.request.model"));
        Assert.Equal(64, model.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal(0.25f, model.GetTagItem("gen_ai.request.temperature"));
        Assert.Equal(7L, model.GetTagItem("gen_ai.request.seed"));
        Assert.Equal("gpt-test-2025", model.GetTagItem("gen_ai.response.model"));
        Assert.Equal("resp-1", model.GetTagItem("gen_ai.response.id"));
        Assert.Equal(["stop"], Assert.IsType<string[]>(model.GetTagItem("gen_ai.response.finish_reasons")));
        Assert.Equal(21L, model.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(9L, model.GetTagItem("gen_ai.usage.output_tokens"));

        // M.E.AI's own span nests under our model step, so one trace shows the chain and the provider call.
        var meai = Assert.Single(spans, s => s.Source.Name == telemetry.ChatClientSource);
        Assert.Equal(model.SpanId, meai.ParentSpanId);
        Assert.Equal("chat gpt-test", meai.OperationName);
        Assert.Equal("chat", meai.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("gpt-test", meai.GetTagItem("gen_ai.request.model"));
        Assert.Equal("gpt-test-2025", meai.GetTagItem("gen_ai.response.model"));
        Assert.Equal(21, meai.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(9, meai.GetTagItem("gen_ai.usage.output_tokens"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_SensitiveDataOff_NoPromptOrCompletionTextInAnySpanOrMetric(bool streaming)
    {
        using var telemetry = new Exported();
        var chain = Chain(telemetry, sensitive: false, FakeModel());

        Assert.Equal(CompletionMarker, await RunAsync(chain, streaming));

        var spans = telemetry.Spans();
        Assert.Equal(5, spans.Count);
        var exported = string.Join("\n", spans.SelectMany(TelemetryCapture.Texts).Concat(telemetry.Metrics().SelectMany(Texts)));
        Assert.All(SecretFragments, fragment => Assert.DoesNotContain(fragment, exported, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_SensitiveDataOn_ChatClientSpanCarriesMessagesAndChainSpansStillDoNot()
    {
        using var telemetry = new Exported();
        var chain = Chain(telemetry, sensitive: true, FakeModel());

        Assert.Equal(CompletionMarker, await RunAsync(chain, streaming: false));

        var spans = telemetry.Spans();
        var meai = Assert.Single(spans, s => s.Source.Name == telemetry.ChatClientSource);
        var input = Assert.IsType<string>(meai.GetTagItem("gen_ai.input.messages"));
        var output = Assert.IsType<string>(meai.GetTagItem("gen_ai.output.messages"));
        Assert.Contains(PromptMarker, input, StringComparison.Ordinal);
        Assert.Contains(SystemMarker, input, StringComparison.Ordinal);
        Assert.Contains(CompletionMarker, output, StringComparison.Ordinal);

        // The chain's own spans never carry text: prompts and completions are the chat client's to report.
        var chainTexts = string.Join("\n", spans.Where(s => s.Source.Name == ChainsTelemetry.SourceName).SelectMany(TelemetryCapture.Texts));
        Assert.All(SecretFragments, fragment => Assert.DoesNotContain(fragment, chainTexts, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Metrics_RunDurationHistogramPerStepAndChatClientMetricsExported()
    {
        using var telemetry = new Exported();
        var chain = Chain(telemetry, sensitive: false, FakeModel());

        await RunAsync(chain, streaming: false);

        var metrics = telemetry.Metrics();
        var duration = Assert.Single(metrics, m => m.Name == ChainsTelemetry.RunDurationInstrument);
        Assert.Equal(ChainsTelemetry.MeterName, duration.MeterName);
        Assert.Equal("s", duration.Unit);
        Assert.Equal(MetricType.Histogram, duration.MetricType);
        var points = duration.MetricPoints.ToDictionary(p => (string)Tags(p)["chains.step.name"]!);
        Assert.Equal(["ChatPromptTemplate", "StringOutputParser", "ask", "gpt-test"], points.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(StepKinds.Chain, Tags(points["ask"])["chains.step.kind"]);
        Assert.Equal(StepKinds.Prompt, Tags(points["ChatPromptTemplate"])["chains.step.kind"]);
        Assert.Equal(StepKinds.ChatModel, Tags(points["gpt-test"])["chains.step.kind"]);
        Assert.Equal(StepKinds.Parser, Tags(points["StringOutputParser"])["chains.step.kind"]);
        foreach (var point in points.Values)
        {
            var p = point;
            Assert.Equal(1, p.GetHistogramCount());
            Assert.True(p.GetHistogramSum() >= 0);
            Assert.DoesNotContain("error.type", Tags(p).Keys);
        }

        // The bucket boundaries advised by the instrument reach the exporter (sub-millisecond steps stay visible).
        var bounds = new List<double>();
        var first = points["ask"];
        foreach (var bucket in first.GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
        }

        Assert.Equal([0.0001, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, double.PositiveInfinity], bounds);

        // M.E.AI's GenAI client metrics come from the same run.
        var tokens = Assert.Single(metrics, m => m.Name == "gen_ai.client.token.usage");
        var byType = tokens.MetricPoints.ToDictionary(p => (string)Tags(p)["gen_ai.token.type"]!, p => p.GetHistogramSum());
        Assert.Equal(21, byType["input"]);
        Assert.Equal(9, byType["output"]);
        Assert.Contains(metrics, m => m.Name == "gen_ai.client.operation.duration");
    }

    [Fact]
    public async Task Run_ParserFails_ErrorSpanAndDurationCarryTheErrorTypeButNotTheCompletion()
    {
        using var telemetry = new Exported();
        var chain = Chain(telemetry, sensitive: false, FakeModel(), new JsonOutputParser());

        var error = await Assert.ThrowsAsync<OutputParserException>(async () => await chain.InvokeAsync(Question(), Options(), Ct));
        Assert.Equal(CompletionMarker, error.RawText);

        var spans = telemetry.Spans();
        var parser = Assert.Single(spans, s => Equals(s.GetTagItem("chains.step.kind"), StepKinds.Parser));
        Assert.Equal(ActivityStatusCode.Error, parser.Status);
        Assert.Equal(typeof(OutputParserException).FullName, parser.GetTagItem("error.type"));
        var root = Assert.Single(spans, s => s.OperationName == "ask");
        Assert.Equal(ActivityStatusCode.Error, root.Status);
        var exported = string.Join("\n", spans.SelectMany(TelemetryCapture.Texts).Concat(telemetry.Metrics().SelectMany(Texts)));
        Assert.All(SecretFragments, fragment => Assert.DoesNotContain(fragment, exported, StringComparison.Ordinal));

        var duration = Assert.Single(telemetry.Metrics(), m => m.Name == ChainsTelemetry.RunDurationInstrument);
        var failed = duration.MetricPoints.Select(Tags).Single(t => Equals(t["chains.step.name"], "JsonOutputParser"));
        Assert.Equal(typeof(OutputParserException).FullName, failed["error.type"]);
        Assert.Equal(StepKinds.Parser, failed["chains.step.kind"]);
    }

    private static FakeChatClient FakeModel() => new()
    {
        Metadata = new ChatClientMetadata("fake", null, "fake-model"),
        GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, CompletionMarker))
        {
            ResponseId = "resp-1",
            ModelId = "gpt-test-2025",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 21, OutputTokenCount = 9, TotalTokenCount = 30 },
        }),
    };

    private static Runnable<TelemetryQuestion, TOut> Chain<TOut>(Exported telemetry, bool sensitive, IChatClient inner, OutputParser<TOut> parser)
    {
        var client = inner.AsBuilder()
            .UseOpenTelemetry(sourceName: telemetry.ChatClientSource, configure: c => c.EnableSensitiveData = sensitive)
            .Build();
        var prompt = new ChatPromptTemplate<TelemetryQuestion>(
            ChatMessageTemplate.System(SystemMarker + " {Topic}"),
            ChatMessageTemplate.User("{Text}"));
        return prompt
            .Pipe(client.AsRunnable(new ChatOptions { ModelId = "gpt-test", MaxOutputTokens = 64, Temperature = 0.25f, Seed = 7 }))
            .Pipe(parser);
    }

    private static Runnable<TelemetryQuestion, string> Chain(Exported telemetry, bool sensitive, IChatClient inner)
        => Chain(telemetry, sensitive, inner, new StringOutputParser());

    private static TelemetryQuestion Question() => new("astronomy", PromptMarker);

    private static RunOptions Options() => new() { RunName = "ask", Tags = ["otel-export"] };

    private static async Task<string> RunAsync(Runnable<TelemetryQuestion, string> chain, bool streaming)
        => streaming
            ? string.Concat(await chain.StreamAsync(Question(), Options(), Ct).ToListAsync(Ct))
            : await chain.InvokeAsync(Question(), Options(), Ct);

    private static Dictionary<string, object?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>();
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        return tags;
    }

    private static IEnumerable<string> Texts(MetricSnapshot metric)
    {
        yield return metric.Name;
        yield return metric.Description;
        foreach (var point in metric.MetricPoints)
        {
            foreach (var tag in point.Tags)
            {
                yield return TelemetryCapture.TagText(tag);
            }
        }
    }

    /// <summary>An OpenTelemetry SDK pipeline for the Chains source and meter and one chat client source, exporting in memory.</summary>
    private sealed class Exported : IDisposable
    {
        private readonly List<Activity> _spans = [];
        private readonly List<MetricSnapshot> _metrics = [];
        private readonly TracerProvider _tracer;
        private readonly MeterProvider _meter;
        private IReadOnlyList<MetricSnapshot>? _collected;

        public Exported()
        {
            // A source name of its own per test, so M.E.AI spans from other tests can never be counted here.
            ChatClientSource = "Chains.Tests.OpenTelemetry." + Guid.NewGuid().ToString("N");
            _tracer = Sdk.CreateTracerProviderBuilder()
                .AddSource(ChainsTelemetry.SourceName, ChatClientSource)
                .AddInMemoryExporter(_spans)
                .Build();
            _meter = Sdk.CreateMeterProviderBuilder()
                .AddMeter(ChainsTelemetry.MeterName, ChatClientSource)
                .AddInMemoryExporter(_metrics)
                .Build();
        }

        public string ChatClientSource { get; }

        public IReadOnlyList<Activity> Spans()
        {
            Assert.True(_tracer.ForceFlush(5000), "the tracer provider did not flush");
            lock (_spans)
            {
                return [.. _spans];
            }
        }

        /// <summary>Collects the metrics once (a second collection would export the cumulative points again).</summary>
        public IReadOnlyList<MetricSnapshot> Metrics()
        {
            if (_collected is null)
            {
                Assert.True(_meter.ForceFlush(5000), "the meter provider did not flush");
                _collected = [.. _metrics];
            }

            return _collected;
        }

        public void Dispose()
        {
            _tracer.Dispose();
            _meter.Dispose();
        }
    }
}
