// Telemetry sample: a prompt → model → parser chain traced and measured with OpenTelemetry, printed by the console
// exporter. Chains reports every step as a span of the "Chains" ActivitySource and its duration on the "Chains" Meter
// (chains.run.duration); M.E.AI's OpenTelemetryChatClient adds the GenAI span and metrics of the model call itself.
//
// Runs offline on a small echo model, or on any OpenAI-compatible endpoint set with CHAINS_OPENAI_ENDPOINT and
// CHAINS_OPENAI_MODEL (CHAINS_OPENAI_API_KEY for the key).
//   dotnet run --project samples/Telemetry -- "your question"
//   --sensitive   also record the prompt and completion text on the chat span (off by default: it may be personal data)
// To send the same telemetry to a collector, swap AddConsoleExporter() for the OTLP exporter.
using System.ClientModel;
using System.Runtime.CompilerServices;
using System.Text;
using Chains;
using Chains.Parsing;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TelemetrySample;

Console.OutputEncoding = Encoding.UTF8;

// M.E.AI's chat client instrumentation gets a source and meter name of the application's choosing.
const string ChatClientSource = "Chains.Samples.Telemetry";

var sensitive = args.Contains("--sensitive");
var words = args.Where(a => a != "--sensitive").ToList();

IChatClient model;
var endpoint = Environment.GetEnvironmentVariable("CHAINS_OPENAI_ENDPOINT");
var modelName = Environment.GetEnvironmentVariable("CHAINS_OPENAI_MODEL");
if (!string.IsNullOrWhiteSpace(endpoint) && !string.IsNullOrWhiteSpace(modelName))
{
    if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri))
    {
        Console.Error.WriteLine($"CHAINS_OPENAI_ENDPOINT is not an absolute URL: '{endpoint}'. Example: http://localhost:11434/v1");
        return 2;
    }

    var apiKey = Environment.GetEnvironmentVariable("CHAINS_OPENAI_API_KEY");
    model = new OpenAIClient(
            new ApiKeyCredential(string.IsNullOrWhiteSpace(apiKey) ? "unused" : apiKey),
            new OpenAIClientOptions { Endpoint = endpointUri })
        .GetChatClient(modelName)
        .AsIChatClient();
    Console.WriteLine($"Model: {modelName} at {endpointUri}");
}
else
{
    model = new EchoChatClient();
    Console.WriteLine("Model: the offline echo model (set CHAINS_OPENAI_ENDPOINT and CHAINS_OPENAI_MODEL for a real one)");
}

var resource = ResourceBuilder.CreateDefault().AddService("chains-telemetry-sample");
using var tracerProvider = Sdk.CreateTracerProviderBuilder()
    .SetResourceBuilder(resource)
    .AddSource(ChainsTelemetry.SourceName, ChatClientSource)
    .AddConsoleExporter()
    .Build();
using var meterProvider = Sdk.CreateMeterProviderBuilder()
    .SetResourceBuilder(resource)
    .AddMeter(ChainsTelemetry.MeterName, ChatClientSource)
    .AddConsoleExporter()
    .Build();

using var client = model.AsBuilder()
    .UseOpenTelemetry(sourceName: ChatClientSource, configure: c => c.EnableSensitiveData = sensitive)
    .Build();

var prompt = new ChatPromptTemplate<Question>(
    ChatMessageTemplate.System("You are a concise assistant. Answer in the language of the question, in one sentence."),
    ChatMessageTemplate.User("{Text}"));
var chain = prompt
    .Pipe(client.AsRunnable(new ChatOptions { MaxOutputTokens = 200, Temperature = 0.2f }))
    .Pipe(new StringOutputParser());

var question = new Question(words.Count > 0 ? string.Join(' ', words) : "What does a trace of a chain show? 用一句话回答。");
Console.WriteLine($"> {question.Text}");
var answer = new StringBuilder();
await foreach (var delta in chain.StreamAsync(question, new RunOptions { RunName = "ask", Tags = ["telemetry-sample"] }))
{
    answer.Append(delta);
}

Console.WriteLine($"< {answer}");

// Each span was printed as its step ended; the metrics follow when the meter provider shuts down, as the program exits.
Console.WriteLine("Metrics:");
return 0;

namespace TelemetrySample
{
    /// <summary>The chain's typed input.</summary>
    internal sealed record Question(string Text);

    /// <summary>
    /// An offline model that answers by echoing the question, streamed word by word, with a response id, a finish reason
    /// and token usage (about four UTF-8 bytes a token) like a real service, so every GenAI attribute has a value.
    /// </summary>
    internal sealed class EchoChatClient : IChatClient
    {
        private static readonly ChatClientMetadata Metadata = new("echo", null, "echo-1");
        private int _responses;

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            var question = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
            var reply = "You asked: " + question;
            var responseId = "echo-" + Interlocked.Increment(ref _responses);
            var words = reply.Split(' ');
            for (var i = 0; i < words.Length; i++)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                var text = i == 0 ? words[i] : " " + words[i];
                yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ResponseId = responseId, ModelId = Metadata.DefaultModelId };
            }

            var input = list.Sum(m => Tokens(m.Text));
            var output = Tokens(reply);
            yield return new ChatResponseUpdate
            {
                Role = ChatRole.Assistant,
                ResponseId = responseId,
                ModelId = Metadata.DefaultModelId,
                FinishReason = ChatFinishReason.Stop,
                Contents = [new UsageContent(new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output })],
            };
        }

        public object? GetService(Type serviceType, object? serviceKey = null)
            => serviceKey is null && serviceType.IsInstanceOfType(Metadata) ? Metadata
                : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
                : null;

        public void Dispose()
        {
        }

        private static int Tokens(string text) => (Encoding.UTF8.GetByteCount(text) + 3) / 4;
    }
}
