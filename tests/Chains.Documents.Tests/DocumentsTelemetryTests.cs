using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;

namespace Chains.Documents.Tests;

/// <summary>The tests that count measurements of the shared meter run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DocumentsTelemetryCollection
{
    public const string Name = "documents-telemetry";
}

/// <summary><see cref="DocumentsTelemetry"/> on generated PDF, DOCX and HTML files: spans are matched to the test by
/// their trace, measurements are counted while no other test runs.</summary>
[Collection(DocumentsTelemetryCollection.Name)]
public sealed class DocumentsTelemetryTests : IDisposable
{
    private const string TestSourceName = "Chains.Documents.Tests.Telemetry";

    // Never to be recorded: content, titles, file and folder names (Chinese and ASCII markers).
    private const string ContentMarker = "CONTENT-7c2a 机密段落内容";
    private const string TitleMarker = "TITLE-1f0b 内部标题";
    private const string FolderMarker = "机密目录";

    private static readonly ActivitySource TestSource = new(TestSourceName);
    private static readonly string[] SecretFragments = ["CONTENT-7c2a", "机密", "段落", "TITLE-1f0b", "内部标题", "Revenue", "report"];

    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task LoadAsync_PdfWithAnEmptyPage_SpanCountsPagesDocumentsAndCharacters()
    {
        var path = _folder.File(Path.Combine(FolderMarker, "report.pdf"));
        TestFiles.WritePdf(path, "Revenue report", ["Revenue grew by ten percent."], [], ["Outlook: steady growth."]);
        using var telemetry = new Captured();

        var documents = await telemetry.RunAsync(() => new PdfLoader(path).LoadAsync(Ct).ToListAsync(Ct).AsTask());

        var span = Assert.Single(telemetry.Spans);
        Assert.Equal("load pdf", span.OperationName);
        Assert.Equal(ActivityKind.Internal, span.Kind);
        Assert.NotEqual(ActivityStatusCode.Error, span.Status);
        Assert.Equal("pdf", span.GetTagItem("chains.document.format"));
        Assert.Equal("pdf", span.GetTagItem("file.extension"));
        Assert.Equal(new FileInfo(path).Length, span.GetTagItem("file.size"));
        Assert.Equal(3, span.GetTagItem("chains.document.pages"));
        Assert.Equal(2L, span.GetTagItem("chains.document.count"));
        Assert.Equal((long)documents.Sum(d => d.Content.Length), span.GetTagItem("chains.document.characters"));
        var duration = Assert.Single(telemetry.Measurements(DocumentsTelemetry.LoadDurationInstrument));
        Assert.True(duration.Value > 0);
        Assert.Equal("pdf", duration.Tags["chains.document.format"]);
        Assert.Equal(2, Assert.Single(telemetry.Measurements(DocumentsTelemetry.DocumentsInstrument)).Value);
        telemetry.AssertNoSecrets();
    }

    [Fact]
    public async Task LoadAsync_ChineseDocxAndHtml_SpansCarryCountsButNoTextTitleOrName()
    {
        var docx = _folder.File(Path.Combine(FolderMarker, "机密报告.docx"));
        TestFiles.WriteDocx(docx, TitleMarker, [TestFiles.Para("Heading1", TitleMarker), TestFiles.Para(null, ContentMarker)]);
        var html = _folder.File(Path.Combine(FolderMarker, "机密页面.html"));
        await File.WriteAllTextAsync(html, $"<html><head><title>{TitleMarker}</title></head><body><main><p>{ContentMarker}</p></main></body></html>", Encoding.UTF8, Ct);
        using var telemetry = new Captured();

        var fromDocx = await telemetry.RunAsync(() => new DocxLoader(docx).LoadAsync(Ct).ToListAsync(Ct).AsTask());
        var fromHtml = await telemetry.RunAsync(() => new HtmlLoader(html).LoadAsync(Ct).ToListAsync(Ct).AsTask());

        Assert.Contains(ContentMarker, fromDocx.Single().Content, StringComparison.Ordinal);
        Assert.Contains(ContentMarker, fromHtml.Single().Content, StringComparison.Ordinal);
        var docxSpan = Assert.Single(telemetry.Spans, s => s.OperationName == "load docx");
        Assert.Equal("docx", docxSpan.GetTagItem("file.extension"));
        Assert.Equal(1L, docxSpan.GetTagItem("chains.document.count"));
        Assert.Equal((long)fromDocx.Single().Content.Length, docxSpan.GetTagItem("chains.document.characters"));
        Assert.Null(docxSpan.GetTagItem("chains.document.pages"));
        var htmlSpan = Assert.Single(telemetry.Spans, s => s.OperationName == "load html");
        Assert.Equal((long)fromHtml.Single().Content.Length, htmlSpan.GetTagItem("chains.document.characters"));
        Assert.Equal(["docx", "html"], telemetry.Measurements(DocumentsTelemetry.LoadDurationInstrument).Select(m => (string)m.Tags["chains.document.format"]!).Order(StringComparer.Ordinal));
        telemetry.AssertNoSecrets();
    }

    [Fact]
    public async Task LoadAsync_SelectorMatchesNothing_SpanAndDurationCarryTheErrorType()
    {
        var html = _folder.File("page.html");
        await File.WriteAllTextAsync(html, $"<html><body><p>{ContentMarker}</p></body></html>", Encoding.UTF8, Ct);
        using var telemetry = new Captured();

        await Assert.ThrowsAsync<InvalidDataException>(() => telemetry.RunAsync(() => new HtmlLoader(html, new HtmlLoaderOptions { ContentSelector = "article.missing" }).LoadAsync(Ct).ToListAsync(Ct).AsTask()));

        var span = Assert.Single(telemetry.Spans);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(InvalidDataException).FullName, span.GetTagItem("error.type"));
        Assert.Equal(0L, span.GetTagItem("chains.document.count"));
        Assert.Equal(typeof(InvalidDataException).FullName, Assert.Single(telemetry.Measurements(DocumentsTelemetry.LoadDurationInstrument)).Tags["error.type"]);
        Assert.Empty(telemetry.Measurements(DocumentsTelemetry.DocumentsInstrument));
        telemetry.AssertNoSecrets();
    }

    [Fact]
    public async Task LoadAsync_CallerStopsAfterTheFirstPage_SpanEndsWithWhatWasRead()
    {
        var path = _folder.File("pages.pdf");
        TestFiles.WritePdf(path, null, ["Page one."], ["Page two."], ["Page three."]);
        using var telemetry = new Captured();

        var first = await telemetry.RunAsync(async () =>
        {
            await foreach (var document in new PdfLoader(path).LoadAsync(Ct))
            {
                return document;
            }

            throw new InvalidOperationException("The PDF produced no document.");
        });

        Assert.Equal("Page one.", first.Content);
        var span = Assert.Single(telemetry.Spans);
        Assert.NotEqual(ActivityStatusCode.Error, span.Status);
        Assert.Equal(1L, span.GetTagItem("chains.document.count"));
        Assert.Equal(3, span.GetTagItem("chains.document.pages"));
        Assert.Single(telemetry.Measurements(DocumentsTelemetry.LoadDurationInstrument));
    }

    private sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    /// <summary>Listens to the package's source and meter; keeps the spans of this test's own traces.</summary>
    private sealed class Captured : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _spans = new();
        private readonly ConcurrentQueue<Measurement> _measurements = new();
        private readonly ConcurrentDictionary<ActivityTraceId, bool> _traces = new();
        private readonly ActivityListener _activityListener;
        private readonly MeterListener _meterListener = new();

        public Captured()
        {
            _activityListener = new ActivityListener
            {
                ShouldListenTo = source => source.Name is DocumentsTelemetry.SourceName or TestSourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (activity.Source.Name == DocumentsTelemetry.SourceName && _traces.ContainsKey(activity.TraceId))
                    {
                        _spans.Enqueue(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_activityListener);
            _meterListener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == DocumentsTelemetry.MeterName)
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
            _traces[parent.TraceId] = true;
            return await action();
        }

        /// <summary>No span name, tag, event or status, and no metric tag, holds text, a title or a name.</summary>
        public void AssertNoSecrets()
        {
            Assert.NotEmpty(_spans);
            var texts = new List<string>();
            foreach (var span in _spans)
            {
                texts.Add(span.DisplayName);
                texts.Add(span.StatusDescription ?? string.Empty);
                texts.AddRange(span.TagObjects.Select(t => Flatten(t.Value)));
                texts.AddRange(span.Events.SelectMany(e => e.Tags.Select(t => e.Name + Flatten(t.Value))));
            }

            texts.AddRange(_measurements.SelectMany(m => m.Tags.Values.Select(Flatten)));
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
