namespace Chains.Samples.Tests;

/// <summary>The Telemetry sample: a chain on the offline echo model, traced and measured by the OpenTelemetry SDK and
/// printed by its console exporter.</summary>
public sealed class TelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_Offline_ConsoleExporterPrintsOneTraceOfTheChainWithGenAiAttributes()
    {
        var (exitCode, output, error) = await SampleProcess.RunAsync("Telemetry", ["月亮为什么会发光？"], cancellationToken: Ct);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("< You asked: 月亮为什么会发光？", output, StringComparison.Ordinal);
        var spans = Spans(output);
        Assert.Equal(5, spans.Count);
        Assert.Single(spans.Select(s => s.TraceId).Distinct());

        var root = Assert.Single(spans, s => s.Name == "ask");
        Assert.Null(root.ParentSpanId);
        Assert.Equal("Chains", root.Scope);
        Assert.Equal("chain", root.Tags["chains.step.kind"]);
        Assert.Equal("[\"telemetry-sample\"]", root.Tags["chains.tags"]);
        var chainSpans = spans.Where(s => s.Scope == "Chains").ToList();
        Assert.Equal(["ChatPromptTemplate", "StringOutputParser", "ask", "chat echo-1"], chainSpans.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(chainSpans.Where(s => s != root), s => Assert.Equal(root.SpanId, s.ParentSpanId));

        var model = Assert.Single(chainSpans, s => s.Name == "chat echo-1");
        Assert.Equal("Client", model.Kind);
        Assert.Equal("chat_model", model.Tags["chains.step.kind"]);
        Assert.Equal("chat", model.Tags["gen_ai.operation.name"]);
        Assert.Equal("echo", model.Tags["gen_ai.provider.name"]);
        Assert.Equal("echo-1", model.Tags["gen_ai.request.model"]);
        Assert.Equal("200", model.Tags["gen_ai.request.max_tokens"]);
        Assert.Equal("echo-1", model.Tags["gen_ai.response.id"]);
        Assert.Equal("[\"stop\"]", model.Tags["gen_ai.response.finish_reasons"]);
        Assert.True(int.Parse(model.Tags["gen_ai.usage.input_tokens"], System.Globalization.CultureInfo.InvariantCulture) > 0, output);
        Assert.True(int.Parse(model.Tags["gen_ai.usage.output_tokens"], System.Globalization.CultureInfo.InvariantCulture) > 0, output);

        // M.E.AI's span of the same call nests under the chain's model step and reports the same usage.
        var client = Assert.Single(spans, s => s.Scope == "Chains.Samples.Telemetry");
        Assert.Equal(model.SpanId, client.ParentSpanId);
        Assert.Equal("chat echo-1", client.Name);
        Assert.Equal(model.Tags["gen_ai.usage.input_tokens"], client.Tags["gen_ai.usage.input_tokens"]);
        Assert.Equal(model.Tags["gen_ai.usage.output_tokens"], client.Tags["gen_ai.usage.output_tokens"]);

        // Message content is off by default.
        Assert.All(spans, s => Assert.DoesNotContain("gen_ai.input.messages", s.Tags.Keys));
        Assert.All(spans, s => Assert.DoesNotContain("gen_ai.output.messages", s.Tags.Keys));
    }

    [Fact]
    public async Task Run_Offline_ConsoleExporterPrintsTheRunDurationHistogramPerStepAndTheGenAiMetrics()
    {
        var (exitCode, output, error) = await SampleProcess.RunAsync("Telemetry", [], cancellationToken: Ct);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var metrics = output[output.IndexOf("\nMetrics:", StringComparison.Ordinal)..];
        Assert.Contains("Metric Name: chains.run.duration, Description: Duration of Chains step invocations., Unit: s, Metric Type: Histogram", metrics, StringComparison.Ordinal);
        foreach (var (kind, name) in new[] { ("chain", "ask"), ("prompt", "ChatPromptTemplate"), ("chat_model", "echo-1"), ("parser", "StringOutputParser") })
        {
            Assert.Contains($"chains.step.kind: {kind} chains.step.name: {name} ", metrics, StringComparison.Ordinal);
        }

        // The advised bucket boundaries reach the exporter, so sub-millisecond steps stay visible.
        Assert.Contains("(-Infinity,0.0001]:", metrics, StringComparison.Ordinal);
        Assert.Contains("Metric Name: gen_ai.client.token.usage,", metrics, StringComparison.Ordinal);
        Assert.Contains("gen_ai.token.type: input", metrics, StringComparison.Ordinal);
        Assert.Contains("gen_ai.token.type: output", metrics, StringComparison.Ordinal);
        Assert.Contains("Metric Name: gen_ai.client.operation.duration,", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Sensitive_ChatSpanCarriesTheMessagesAndChainSpansStillDoNot()
    {
        var (exitCode, output, error) = await SampleProcess.RunAsync("Telemetry", ["--sensitive", "Why does the Moon shine?"], cancellationToken: Ct);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var spans = Spans(output);
        var client = Assert.Single(spans, s => s.Scope == "Chains.Samples.Telemetry");
        // The messages are JSON the exporter prints over several lines: look in the span's whole block.
        var input = client.Block[client.Block.IndexOf("gen_ai.input.messages: ", StringComparison.Ordinal)..];
        var outputMessages = client.Block[client.Block.IndexOf("gen_ai.output.messages: ", StringComparison.Ordinal)..];
        Assert.Contains("Why does the Moon shine?", input, StringComparison.Ordinal);
        Assert.Contains("You asked: Why does the Moon shine?", outputMessages, StringComparison.Ordinal);
        Assert.All(spans.Where(s => s.Scope == "Chains"), s => Assert.DoesNotContain("Moon", SpanPart(s.Block), StringComparison.Ordinal));
    }

    /// <summary>Reads the spans the console exporter printed: one block per span, from "Activity.TraceId:" on.</summary>
    private static List<Span> Spans(string output)
    {
        var spans = new List<Span>();
        var blocks = output.Split("Activity.TraceId:", StringSplitOptions.None).Skip(1);
        foreach (var block in blocks)
        {
            var lines = block.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            string? Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim();
            var tags = new Dictionary<string, string>();
            var tagStart = lines.IndexOf("Activity.Tags:");
            for (var i = tagStart + 1; tagStart >= 0 && i < lines.Count && lines[i].StartsWith("    ", StringComparison.Ordinal); i++)
            {
                var colon = lines[i].IndexOf(": ", StringComparison.Ordinal);
                tags[lines[i][..colon].Trim()] = lines[i][(colon + 2)..];
            }

            var scopeLine = lines.IndexOf("Instrumentation scope (ActivitySource):");
            Assert.True(scopeLine >= 0, block);
            spans.Add(new Span(
                lines[0].Trim(),
                Field("Activity.SpanId:")!,
                Field("Activity.ParentSpanId:"),
                Field("Activity.DisplayName:")!,
                Field("Activity.Kind:")!,
                lines[scopeLine + 1].Trim()["Name: ".Length..],
                tags,
                block));
        }

        return spans;
    }

    /// <summary>A span's block without what follows it (the last block runs on into the answer and the metrics).</summary>
    private static string SpanPart(string block) => block[..block.IndexOf("Resource associated with Activity:", StringComparison.Ordinal)];

    private sealed record Span(string TraceId, string SpanId, string? ParentSpanId, string Name, string Kind, string Scope, Dictionary<string, string> Tags, string Block);
}
