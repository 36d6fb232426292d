using System.Diagnostics;
using Chains.LLamaSharp.Tests.Support;
using Chains.Testing.Diagnostics;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Tests;

/// <summary>
/// <see cref="LlamaTelemetry"/> on llama.cpp running a generated model. Each test writes its own model with a unique
/// <c>general.name</c> and keeps only the spans and measurements tagged with it, so tests running in parallel (which
/// report under the same source) never disturb the counts.
/// </summary>
public sealed class LlamaTelemetryTests
{
    // Never to be recorded: Chinese and ASCII markers in the prompt and in the (grammar-forced) completion.
    private const string PromptMarker = "PROMPT-5e1c 秘密问题";
    private const string CompletionMarker = "答案甲乙";

    private static readonly string[] SecretFragments = ["PROMPT-5e1c", "秘密问题", "答案", "甲乙"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetResponseAsync_ChinesePrompt_EmitsChatSpanUsageAndMetricsWithoutText()
    {
        var modelId = NewModelId();
        using var telemetry = Capture(modelId);
        using var model = TestModels.Load(path: UniqueModel(modelId));
        using var client = model.AsChatClient();
        var options = new ChatOptions { Seed = 11, MaxOutputTokens = 32, Temperature = 0.5f, TopP = 0.9f, TopK = 20 }
            .WithGrammar(GbnfGrammar.Parse($"root ::= \"{CompletionMarker}\""));

        var response = await client.GetResponseAsync([new(ChatRole.System, "你是助手"), new(ChatRole.User, PromptMarker)], options, Ct);

        Assert.Equal(CompletionMarker, response.Text);
        var span = Assert.Single(telemetry.Spans, s => s.OperationName == "chat " + modelId);
        Assert.Equal(ActivityKind.Internal, span.Kind);
        Assert.NotEqual(ActivityStatusCode.Error, span.Status);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("llama.cpp", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(modelId, span.GetTagItem("gen_ai.request.model"));
        Assert.Equal(32, span.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal(0.5, span.GetTagItem("gen_ai.request.temperature"));
        Assert.Equal(0.9, (double)span.GetTagItem("gen_ai.request.top_p")!, 6);
        Assert.Equal(20.0, span.GetTagItem("gen_ai.request.top_k"));
        Assert.Equal(11L, span.GetTagItem("gen_ai.request.seed"));
        Assert.Equal(response.ResponseId, span.GetTagItem("gen_ai.response.id"));
        Assert.Equal(modelId, span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(["stop"], Assert.IsType<string[]>(span.GetTagItem("gen_ai.response.finish_reasons")));
        var usage = response.Usage!;
        Assert.Equal((int)usage.InputTokenCount!, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal((int)usage.OutputTokenCount!, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal((int)usage.CachedInputTokenCount!, span.GetTagItem("chains.llama.cached_prompt_tokens"));
        Assert.Equal((int)usage.CachedInputTokenCount!, span.GetTagItem("gen_ai.usage.cache_read.input_tokens"));

        // The model load, measured and traced under the model's id.
        var load = Assert.Single(telemetry.Spans, s => s.OperationName == "load_model");
        Assert.Equal(model.ContextSize, load.GetTagItem("chains.llama.context_size"));
        var loadDuration = Assert.Single(telemetry.Measurements(LlamaTelemetry.ModelLoadDurationInstrument));
        Assert.True(loadDuration.Value > 0);

        var duration = Assert.Single(telemetry.Measurements(LlamaTelemetry.OperationDurationInstrument));
        Assert.True(duration.Value > 0);
        Assert.Equal("chat", duration.Tags["gen_ai.operation.name"]);
        Assert.Equal("llama.cpp", duration.Tags["gen_ai.provider.name"]);
        Assert.False(duration.Tags.ContainsKey("error.type"));
        var tokens = telemetry.Measurements(LlamaTelemetry.TokenUsageInstrument);
        Assert.Equal(usage.InputTokenCount!.Value, Assert.Single(tokens, m => Equals(m.Tags["gen_ai.token.type"], "input")).Value);
        Assert.Equal(usage.OutputTokenCount!.Value, Assert.Single(tokens, m => Equals(m.Tags["gen_ai.token.type"], "output")).Value);

        // Every Chinese character came as three byte tokens: many output tokens, so both latency metrics exist.
        var firstToken = Assert.Single(telemetry.Measurements(LlamaTelemetry.TimeToFirstTokenInstrument)).Value;
        var perToken = Assert.Single(telemetry.Measurements(LlamaTelemetry.TimePerOutputTokenInstrument)).Value;
        Assert.InRange(firstToken, double.Epsilon, duration.Value);
        Assert.InRange(perToken * (usage.OutputTokenCount!.Value - 1), double.Epsilon, duration.Value);
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RepeatedPrompt_SpanReportsCachedPromptTokens()
    {
        var modelId = NewModelId();
        using var telemetry = Capture(modelId);
        using var model = TestModels.Load(TestModels.Options(sequences: 1), UniqueModel(modelId));
        using var client = model.AsChatClient();
        var options = new ChatOptions { Seed = 4, MaxOutputTokens = 6 };
        List<ChatMessage> messages = [new(ChatRole.User, PromptMarker + " 请回答")];

        await client.GetResponseAsync(messages, options, Ct);
        UsageDetails? usage = null;
        var updates = 0;
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, Ct))
        {
            updates++;
            usage = update.Contents.OfType<UsageContent>().SingleOrDefault()?.Details ?? usage;
        }

        Assert.True(updates > 0);
        var spans = telemetry.Spans.Where(s => s.OperationName == "chat " + modelId).ToList();
        Assert.Equal(2, spans.Count);
        var streamed = spans[1];
        Assert.True(usage!.CachedInputTokenCount > 0, "the repeated prompt should come from the KV cache");
        Assert.Equal((int)usage.CachedInputTokenCount!, streamed.GetTagItem("chains.llama.cached_prompt_tokens"));
        Assert.Equal((int)usage.OutputTokenCount!, streamed.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.NotNull(streamed.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Equal(2, telemetry.Measurements(LlamaTelemetry.OperationDurationInstrument).Count);
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    [Fact]
    public async Task GetResponseAsync_PromptOverflowsTheContext_SpanAndDurationCarryTheErrorType()
    {
        var modelId = NewModelId();
        using var telemetry = Capture(modelId);
        using var model = TestModels.Load(TestModels.Options(contextSize: 256, sequences: 1), UniqueModel(modelId));
        using var client = model.AsChatClient();
        var tooLong = string.Concat(Enumerable.Repeat(PromptMarker + " ", 40));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync(tooLong, new ChatOptions { MaxOutputTokens = 4 }, Ct));

        var span = Assert.Single(telemetry.Spans, s => s.OperationName == "chat " + modelId);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(error.GetType().FullName, span.GetTagItem("error.type"));
        var duration = Assert.Single(telemetry.Measurements(LlamaTelemetry.OperationDurationInstrument));
        Assert.Equal(error.GetType().FullName, duration.Tags["error.type"]);
        Assert.Empty(telemetry.Measurements(LlamaTelemetry.TokenUsageInstrument));
        Assert.Empty(telemetry.Measurements(LlamaTelemetry.TimeToFirstTokenInstrument));
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    [Fact]
    public async Task GenerateAsync_ChineseTexts_EmitsEmbeddingsSpanAndInputTokenUsage()
    {
        var modelId = NewModelId();
        using var telemetry = Capture(modelId);
        using var model = TestModels.Load(path: UniqueModel(modelId));
        using var generator = model.AsEmbeddingGenerator();

        var embeddings = await generator.GenerateAsync([PromptMarker, "第二段 " + CompletionMarker], new EmbeddingGenerationOptions { Dimensions = 32 }, Ct);

        var span = Assert.Single(telemetry.Spans, s => s.OperationName == "embeddings " + modelId);
        Assert.Equal("embeddings", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("llama.cpp", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(32, span.GetTagItem("gen_ai.embeddings.dimension.count"));
        Assert.Equal(2, span.GetTagItem("chains.llama.input_count"));
        Assert.Equal((int)embeddings.Usage!.InputTokenCount!, span.GetTagItem("gen_ai.usage.input_tokens"));
        var tokens = Assert.Single(telemetry.Measurements(LlamaTelemetry.TokenUsageInstrument));
        Assert.Equal(embeddings.Usage.InputTokenCount!.Value, tokens.Value);
        Assert.Equal("input", tokens.Tags["gen_ai.token.type"]);
        Assert.Equal("embeddings", tokens.Tags["gen_ai.operation.name"]);
        Assert.Equal("embeddings", Assert.Single(telemetry.Measurements(LlamaTelemetry.OperationDurationInstrument)).Tags["gen_ai.operation.name"]);
        telemetry.AssertNoneRecorded(SecretFragments);
    }

    private static string NewModelId() => "otel-" + Guid.NewGuid().ToString("N")[..12];

    private static string UniqueModel(string name)
        => TinyModel.Write(new TinyModelSpec { Name = name }, name + ".gguf");

    /// <summary>Keeps the package's spans and measurements tagged with this test's model id.</summary>
    private static TelemetryCapture Capture(string modelId) => new(
        LlamaTelemetry.SourceName,
        LlamaTelemetry.MeterName,
        span => Equals(span.GetTagItem("gen_ai.request.model"), modelId),
        measurement => Equals(measurement.Tags.GetValueOrDefault("gen_ai.request.model"), modelId));
}
