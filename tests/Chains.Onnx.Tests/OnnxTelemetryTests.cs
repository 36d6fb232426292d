using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Chains.Onnx.Tests;

/// <summary>The tests that count measurements of the shared meter run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OnnxTelemetryCollection
{
    public const string Name = "onnx-telemetry";
}

/// <summary><see cref="OnnxTelemetry"/> on the real MiniLM model: spans are matched to the test by their parent,
/// measurements are counted while no other test runs.</summary>
[Collection(OnnxTelemetryCollection.Name)]
public sealed class OnnxTelemetryTests
{
    private const string TestSourceName = "Chains.Onnx.Tests.Telemetry";

    private static readonly ActivitySource TestSource = new(TestSourceName);

    // Never to be recorded: Chinese and ASCII markers in the embedded texts.
    private static readonly string[] Texts = ["MARKER-3d9a 机密文件 第一段", "第二段 机密内容", "the third text"];
    private static readonly string[] SecretFragments = ["MARKER-3d9a", "机密", "第一段", "第二段", "third text"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateAsync_ThreeTextsInBatchesOfTwo_EmitsOneSpanWithUsageAndMetrics()
    {
        using var generator = new MiniLmEmbeddingGenerator(new MiniLmOptions { BatchSize = 2 });
        using var telemetry = new Captured();

        var embeddings = await telemetry.RunAsync(() => generator.GenerateAsync(Texts, cancellationToken: Ct));

        var span = Assert.Single(telemetry.Spans);
        Assert.Equal("embeddings all-MiniLM-L6-v2", span.OperationName);
        Assert.Equal(ActivityKind.Internal, span.Kind);
        Assert.NotEqual(ActivityStatusCode.Error, span.Status);
        Assert.Equal("embeddings", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("onnxruntime", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(MiniLmEmbeddingGenerator.ModelId, span.GetTagItem("gen_ai.request.model"));
        Assert.Equal(MiniLmEmbeddingGenerator.ModelId, span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(384, span.GetTagItem("gen_ai.embeddings.dimension.count"));
        Assert.Equal(3, span.GetTagItem("chains.onnx.input_count"));
        Assert.Equal(2, span.GetTagItem("chains.onnx.batch_count"));
        var tokens = embeddings.Usage!.InputTokenCount!.Value;
        Assert.Equal(Texts.Sum(generator.CountTokens), tokens);
        Assert.Equal(tokens, span.GetTagItem("gen_ai.usage.input_tokens"));

        var usage = Assert.Single(telemetry.Measurements(OnnxTelemetry.TokenUsageInstrument));
        Assert.Equal(tokens, usage.Value);
        Assert.Equal("input", usage.Tags["gen_ai.token.type"]);
        Assert.Equal("embeddings", usage.Tags["gen_ai.operation.name"]);
        Assert.Equal(MiniLmEmbeddingGenerator.ModelId, usage.Tags["gen_ai.request.model"]);
        var duration = Assert.Single(telemetry.Measurements(OnnxTelemetry.OperationDurationInstrument));
        Assert.InRange(duration.Value, double.Epsilon, span.Duration.TotalSeconds + 1);
        Assert.False(duration.Tags.ContainsKey("error.type"));
        telemetry.AssertNoSecrets();
    }

    [Fact]
    public async Task GenerateAsync_NullText_SpanAndDurationCarryTheErrorType()
    {
        using var generator = new MiniLmEmbeddingGenerator();
        using var telemetry = new Captured();

        await Assert.ThrowsAsync<ArgumentNullException>(() => telemetry.RunAsync(() => generator.GenerateAsync([Texts[0], null!], cancellationToken: Ct)));

        var span = Assert.Single(telemetry.Spans);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(ArgumentNullException).FullName, span.GetTagItem("error.type"));
        Assert.Equal(typeof(ArgumentNullException).FullName, Assert.Single(telemetry.Measurements(OnnxTelemetry.OperationDurationInstrument)).Tags["error.type"]);
        Assert.Empty(telemetry.Measurements(OnnxTelemetry.TokenUsageInstrument));
        telemetry.AssertNoSecrets();
    }

    private sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    /// <summary>Listens to the package's source and meter; keeps the spans under this test's own parent span.</summary>
    private sealed class Captured : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _spans = new();
        private readonly ConcurrentQueue<Measurement> _measurements = new();
        private readonly ActivityListener _activityListener;
        private readonly MeterListener _meterListener = new();
        private ActivityTraceId _traceId;

        public Captured()
        {
            _activityListener = new ActivityListener
            {
                ShouldListenTo = source => source.Name is OnnxTelemetry.SourceName or TestSourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (activity.Source.Name == OnnxTelemetry.SourceName && activity.TraceId == _traceId)
                    {
                        _spans.Enqueue(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_activityListener);
            _meterListener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == OnnxTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
            _meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
            _meterListener.Start();
        }

        public List<Activity> Spans => [.. _spans];

        public List<Measurement> Measurements(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument)];

        /// <summary>Runs <paramref name="action"/> under a parent span of this test.</summary>
        public async Task<T> RunAsync<T>(Func<Task<T>> action)
        {
            using var parent = TestSource.StartActivity("test")!;
            _traceId = parent.TraceId;
            return await action();
        }

        /// <summary>No span name, tag, event or status, and no metric tag, holds any part of the texts.</summary>
        public void AssertNoSecrets()
        {
            var texts = new List<string>();
            foreach (var span in _spans)
            {
                texts.Add(span.DisplayName);
                texts.Add(span.StatusDescription ?? string.Empty);
                texts.AddRange(span.TagObjects.Select(t => Flatten(t.Value)));
                texts.AddRange(span.Events.SelectMany(e => e.Tags.Select(t => e.Name + Flatten(t.Value))));
            }

            texts.AddRange(_measurements.SelectMany(m => m.Tags.Values.Select(Flatten)));
            Assert.NotEmpty(texts);
            foreach (var fragment in SecretFragments)
            {
                Assert.DoesNotContain(texts, t => t.Contains(fragment, StringComparison.Ordinal));
            }
        }

        public void Dispose()
        {
            _activityListener.Dispose();
            _meterListener.Dispose();
        }

        private static string Flatten(object? value) => value switch
        {
            null => string.Empty,
            string s => s,
            IEnumerable items => string.Join("|", items.Cast<object?>()),
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
        };

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            _measurements.Enqueue(new Measurement(instrument.Name, value, copy));
        }
    }
}
