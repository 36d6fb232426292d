using System.Diagnostics;
using Chains.Testing.Diagnostics;

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
    // Never to be recorded: Chinese and ASCII markers in the embedded texts.
    private static readonly string[] Texts = ["MARKER-3d9a 机密文件 第一段", "第二段 机密内容", "the third text"];
    private static readonly string[] SecretFragments = ["MARKER-3d9a", "机密", "第一段", "第二段", "third text"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateAsync_ThreeTextsInBatchesOfTwo_EmitsOneSpanWithUsageAndMetrics()
    {
        using var generator = new MiniLmEmbeddingGenerator(new MiniLmOptions { BatchSize = 2 });
        using var telemetry = Capture();

        var embeddings = await telemetry.RunInOwnTraceAsync(() => generator.GenerateAsync(Texts, cancellationToken: Ct));

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
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    [Fact]
    public async Task GenerateAsync_NullText_SpanAndDurationCarryTheErrorType()
    {
        using var generator = new MiniLmEmbeddingGenerator();
        using var telemetry = Capture();

        await Assert.ThrowsAsync<ArgumentNullException>(() => telemetry.RunInOwnTraceAsync(() => generator.GenerateAsync([Texts[0], null!], cancellationToken: Ct)));

        var span = Assert.Single(telemetry.Spans);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(ArgumentNullException).FullName, span.GetTagItem("error.type"));
        Assert.Equal(typeof(ArgumentNullException).FullName, Assert.Single(telemetry.Measurements(OnnxTelemetry.OperationDurationInstrument)).Tags["error.type"]);
        Assert.Empty(telemetry.Measurements(OnnxTelemetry.TokenUsageInstrument));
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    /// <summary>Keeps the package's spans under this test's own parent span, and every measurement.</summary>
    private static TelemetryCapture Capture() => TelemetryCapture.ForOwnTraces(OnnxTelemetry.SourceName, OnnxTelemetry.MeterName);
}
