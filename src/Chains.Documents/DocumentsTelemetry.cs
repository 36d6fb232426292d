using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Chains.Indexes;

namespace Chains.Documents;

/// <summary>
/// The names under which the document loaders report traces and metrics. Subscribe with OpenTelemetry's
/// <c>AddSource(DocumentsTelemetry.SourceName)</c> and <c>AddMeter(DocumentsTelemetry.MeterName)</c>, or any
/// <see cref="ActivityListener"/> / <see cref="MeterListener"/>. Nothing is recorded while nobody listens.
/// </summary>
/// <remarks>
/// Each file a loader reads is an internal span <c>load {format}</c> (<c>load pdf</c>, <c>load docx</c>,
/// <c>load html</c>) from the first document asked for to the last, with <c>chains.document.format</c>,
/// <c>file.extension</c>, <c>file.size</c> (bytes), <c>chains.document.pages</c> (PDF),
/// <c>chains.document.count</c> (documents produced) and <c>chains.document.characters</c> (their total length), and on
/// failure <c>error.type</c>. No text, title, path or file name is recorded.
/// </remarks>
public static class DocumentsTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> of the <c>Chains.Documents</c> package.</summary>
    public const string SourceName = "Chains.Documents";

    /// <summary>The name of the <see cref="Meter"/> of the <c>Chains.Documents</c> package.</summary>
    public const string MeterName = SourceName;

    /// <summary>The histogram of file load durations in seconds (reading, parsing and extracting, while the caller
    /// consumes the documents), tagged <c>chains.document.format</c> and, on failure, <c>error.type</c>.</summary>
    public const string LoadDurationInstrument = "chains.document.load.duration";

    /// <summary>The counter of documents produced by the loaders (<c>{document}</c>), tagged <c>chains.document.format</c>.</summary>
    public const string DocumentsInstrument = "chains.document.documents";

    internal const string Pdf = "pdf";
    internal const string Docx = "docx";
    internal const string Html = "html";

    private static readonly string Version =
        typeof(DocumentsTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    internal static readonly ActivitySource Source = new(SourceName, Version);

    internal static readonly Meter Meter = new(MeterName, Version);

    internal static readonly Histogram<double> LoadDuration = Meter.CreateHistogram<double>(
        LoadDurationInstrument,
        unit: "s",
        description: "Duration of document file loads.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    internal static readonly Counter<long> Documents = Meter.CreateCounter<long>(
        DocumentsInstrument,
        unit: "{document}",
        description: "Documents produced by the document loaders.");

    /// <summary>Gets whether anyone listens.</summary>
    internal static bool IsEnabled => Source.HasListeners() || LoadDuration.Enabled || Documents.Enabled;

    /// <summary>Loads through <paramref name="load"/> inside the span of the file; call only when <see cref="IsEnabled"/>.</summary>
    /// <param name="format">The format: <see cref="Pdf"/>, <see cref="Docx"/> or <see cref="Html"/>.</param>
    /// <param name="path">The file (only its extension and size are recorded).</param>
    /// <param name="load">The loader's iterator; it may report facts such as the page count to the trace it is given.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The documents.</returns>
    internal static async IAsyncEnumerable<Document> TraceAsync(string format, string path, Func<LoadTrace?, CancellationToken, IAsyncEnumerable<Document>> load, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var trace = new LoadTrace(format, path);
        try
        {
            var documents = load(trace, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (documents.ConfigureAwait(false))
            {
                while (true)
                {
                    try
                    {
                        if (!await documents.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                    catch (Exception ex)
                    {
                        trace.Fail(ex);
                        throw;
                    }

                    trace.Add(documents.Current);
                    yield return documents.Current;
                }
            }
        }
        finally
        {
            trace.End();
        }
    }

    /// <summary>The span and counts of one file load.</summary>
    internal sealed class LoadTrace
    {
        private readonly string _format;
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly Activity? _activity;
        private long _documents;
        private long _characters;
        private string? _errorType;
        private bool _ended;

        public LoadTrace(string format, string path)
        {
            _format = format;
            _activity = Source.StartActivity("load " + format, ActivityKind.Internal);
            if (_activity is { IsAllDataRequested: true } activity)
            {
                activity.SetTag("chains.document.format", format);
                activity.SetTag("file.extension", System.IO.Path.GetExtension(path).TrimStart('.').ToLowerInvariant());
                var file = new FileInfo(path);
                if (file.Exists)
                {
                    activity.SetTag("file.size", file.Length);
                }
            }
        }

        /// <summary>Records the number of pages of the file.</summary>
        public void SetPages(int pages) => _activity?.SetTag("chains.document.pages", pages);

        public void Add(Document document)
        {
            _documents++;
            _characters += document.Content.Length;
        }

        public void Fail(Exception error)
        {
            _errorType = error.GetType().FullName;
            if (_activity is not null)
            {
                _activity.SetTag("error.type", _errorType);
                _activity.SetStatus(ActivityStatusCode.Error, error is OperationCanceledException ? "cancelled" : error.GetType().Name);
            }
        }

        /// <summary>Ends the load (also when the caller stopped early): counts, duration, span.</summary>
        public void End()
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            if (_activity is not null)
            {
                _activity.SetTag("chains.document.count", _documents);
                _activity.SetTag("chains.document.characters", _characters);
                _activity.Dispose();
            }

            if (LoadDuration.Enabled)
            {
                var tags = new TagList { { "chains.document.format", _format } };
                if (_errorType is not null)
                {
                    tags.Add("error.type", _errorType);
                }

                LoadDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
            }

            if (Documents.Enabled && _documents > 0)
            {
                Documents.Add(_documents, new TagList { { "chains.document.format", _format } });
            }
        }
    }
}
