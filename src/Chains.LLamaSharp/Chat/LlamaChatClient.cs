using System.Runtime.CompilerServices;
using System.Text;
using Chains.LLamaSharp.Inference;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Chat;

/// <summary>
/// <see cref="IChatClient"/> over a <see cref="LlamaModel"/>: renders the conversation with the model's chat template,
/// constrains output with grammars (JSON schema response formats, tool calls), streams whole characters, and reports
/// finish reason, token usage (cached prompt tokens included) and model id.
/// </summary>
internal sealed class LlamaChatClient : IChatClient
{
    private readonly LlamaModel _model;
    private readonly LlamaChatClientOptions _options;
    private readonly PromptRenderer _renderer;
    private readonly ChatClientMetadata _metadata;
    private bool _fallbackLogged;

    public LlamaChatClient(LlamaModel model, LlamaChatClientOptions options)
    {
        options.Validate();
        _model = model;
        _options = options;
        _renderer = new PromptRenderer(options.ChatTemplate ?? model.Info.ChatTemplate);
        _metadata = new ChatClientMetadata("llama.cpp", null, model.ModelId);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var trace = LlamaChatTrace.Start(_model);
        try
        {
            var plan = Prepare(messages, options);
            trace?.Request(plan.MaxTokens, plan.Sampling);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

            // Buffered: the engine keeps the text and signals once, instead of handing over every token.
            var request = new GenerationRequest(plan.Prompt, plan.Sampling, plan.MaxTokens, plan.StopSequences, cts.Token, buffered: true);
            var (responseId, createdAt) = Start(request, plan);
            try
            {
                await request.Output.Reader.Completion.ConfigureAwait(false);
            }
            finally
            {
                await cts.CancelAsync().ConfigureAwait(false);
            }

            var final = Finish(request, plan, responseId, createdAt, request.BufferedText!.ToString(), callMode: plan.ToolsActive, trace);
            var contents = final.Contents.Where(c => c is not UsageContent).ToList();
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { MessageId = responseId, CreatedAt = createdAt })
            {
                ResponseId = responseId,
                ModelId = _model.ModelId,
                CreatedAt = createdAt,
                FinishReason = final.FinishReason,
                Usage = final.Contents.OfType<UsageContent>().Single().Details,
            };
        }
        catch (Exception ex) when (trace is not null)
        {
            trace.Failed(ex);
            throw;
        }
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => LlamaTelemetry.IsRequestObserved
            ? TracedStreamAsync(messages, options, cancellationToken)
            : StreamAsync(messages, options, null, cancellationToken);

    /// <summary>Streams inside the request's span: the iterator that owns the span sees the failures, which an
    /// iterator cannot catch around its own <see langword="yield"/>s.</summary>
    private async IAsyncEnumerable<ChatResponseUpdate> TracedStreamAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var trace = LlamaChatTrace.Start(_model);
        var updates = StreamAsync(messages, options, trace, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (updates.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex) when (trace is not null)
                {
                    trace.Failed(ex);
                    throw;
                }

                yield return updates.Current;
            }
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, LlamaChatTrace? trace, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var plan = Prepare(messages, options);
        trace?.Request(plan.MaxTokens, plan.Sampling);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var request = new GenerationRequest(plan.Prompt, plan.Sampling, plan.MaxTokens, plan.StopSequences, cts.Token);
        var (responseId, createdAt) = Start(request, plan);
        try
        {
            // With tools, hold the first characters until it is clear whether the answer is text or tool calls.
            var undecided = plan.ToolsActive;
            var callMode = false;
            var held = new StringBuilder();
            await foreach (var delta in request.Output.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (callMode)
                {
                    held.Append(delta);
                    continue;
                }

                if (undecided)
                {
                    held.Append(delta);
                    var soFar = held.ToString();
                    if (ToolCalls.CouldBeCall(soFar))
                    {
                        callMode = soFar.Length >= ToolCalls.Open.Length;
                        continue;
                    }

                    undecided = false;
                    held.Clear();
                    yield return Update(responseId, createdAt, new TextContent(soFar));
                    continue;
                }

                yield return Update(responseId, createdAt, new TextContent(delta));
            }

            yield return Finish(request, plan, responseId, createdAt, held.ToString(), callMode, trace);
        }
        finally
        {
            // Stops generation when the consumer stops early or is cancelled; the model stays usable.
            await cts.CancelAsync().ConfigureAwait(false);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        if (serviceType == typeof(LlamaModel))
        {
            return _model;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // The model owns the native resources; a client is a view over it.
    }

    private (string ResponseId, DateTimeOffset CreatedAt) Start(GenerationRequest request, Plan plan)
    {
        var responseId = "llama-" + request.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var createdAt = _model.Options.TimeProvider.GetUtcNow();
        if (_model.Options.Logger is { } logger)
        {
            Log.Prompt(logger, request.Id, plan.PromptText);
        }

        _model.Engine.Submit(request);
        return (responseId, createdAt);
    }

    /// <summary>Builds the last update: the held text (parsed into tool calls when it is made of them), the finish
    /// reason and the usage.</summary>
    private ChatResponseUpdate Finish(GenerationRequest request, Plan plan, string responseId, DateTimeOffset createdAt, string held, bool callMode, LlamaChatTrace? trace)
    {
        var finish = request.Finish == GenerationFinish.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;
        var final = Update(responseId, createdAt);
        if (held.Length > 0)
        {
            if (callMode && held.StartsWith(ToolCalls.Open, StringComparison.Ordinal) && ToolCalls.TryParse(held, out var calls))
            {
                for (var i = 0; i < calls.Count; i++)
                {
                    var (name, arguments) = calls[i];
                    final.Contents.Add(new FunctionCallContent($"{responseId}-call-{i}", name, arguments));
                }

                finish = ChatFinishReason.ToolCalls;
            }
            else
            {
                // Text, or a call cut short by the token limit: the text as generated.
                final.Contents.Add(new TextContent(held));
            }
        }

        final.FinishReason = finish;
        trace?.Completed(request, responseId, finish);
        final.Contents.Add(new UsageContent(new UsageDetails
        {
            InputTokenCount = plan.Prompt.Length,
            OutputTokenCount = request.GeneratedTokens,
            TotalTokenCount = plan.Prompt.Length + request.GeneratedTokens,
            CachedInputTokenCount = request.CachedPromptTokens,
        }));
        return final;
    }

    private ChatResponseUpdate Update(string responseId, DateTimeOffset createdAt, AIContent? content = null)
        => new(ChatRole.Assistant, content is null ? [] : [content])
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = _model.ModelId,
            CreatedAt = createdAt,
        };

    private Plan Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var maxTokens = options?.MaxOutputTokens ?? _options.DefaultMaxOutputTokens;
        if (maxTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), maxTokens, "ChatOptions.MaxOutputTokens must be at least 1.");
        }

        var temperature = options?.Temperature ?? _options.Temperature;
        var topP = options?.TopP ?? _options.TopP;
        var topK = options?.TopK ?? _options.TopK;
        if (!(temperature >= 0) || !(topP is > 0 and <= 1) || topK < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"ChatOptions sampling values are out of range (Temperature {temperature}, TopP {topP}, TopK {topK}).");
        }

        var tools = options?.ToolMode is NoneChatToolMode
            ? []
            : options?.Tools?.OfType<AIFunctionDeclaration>().ToList() ?? [];
        var required = options?.ToolMode is RequiredChatToolMode;
        if (options?.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } requiredName })
        {
            tools = [.. tools.Where(t => t.Name == requiredName)];
            if (tools.Count == 0)
            {
                throw new ArgumentException($"ChatOptions.ToolMode requires the function '{requiredName}', which is not among ChatOptions.Tools.", nameof(options));
            }
        }

        if (required && tools.Count == 0)
        {
            throw new ArgumentException("ChatOptions.ToolMode requires a tool call but ChatOptions.Tools has no functions.", nameof(options));
        }

        var responseFormat = options?.ResponseFormat as ChatResponseFormatJson;
        string? grammar = null;
        if (options?.AdditionalProperties?.TryGetValue(LlamaChatOptionsExtensions.GrammarKey, out var custom) == true)
        {
            grammar = custom switch
            {
                GbnfGrammar g => g.Text,
                string s => GbnfGrammar.Parse(s).Text,
                _ => throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{LlamaChatOptionsExtensions.GrammarKey}\"] must be a GbnfGrammar.", nameof(options)),
            };
            if (tools.Count > 0 || responseFormat is not null)
            {
                throw new ArgumentException("A custom grammar cannot be combined with tools or a JSON response format; it replaces both.", nameof(options));
            }
        }
        else if (tools.Count > 0)
        {
            var multiple = options?.AllowMultipleToolCalls ?? true;
            grammar = GrammarCache.GetOrAdd(
                GrammarCache.ToolsKey(tools, required, multiple, responseFormat),
                () => GbnfGrammar.Parse(ToolCalls.Grammar(tools, required, multiple, responseFormat)).Text);
        }
        else if (responseFormat is not null)
        {
            grammar = responseFormat.Schema is { } schema
                ? GrammarCache.GetOrAdd(GrammarCache.SchemaKey(schema), () => GbnfGrammar.FromJsonSchema(schema).Text)
                : GbnfGrammar.JsonObject.Text;
        }

        var promptText = _renderer.Render(messages, options, tools);
        if (_renderer.UsesChatMlFallback && !_fallbackLogged && _model.Options.Logger is { } logger && !string.IsNullOrEmpty(_model.Info.ChatTemplate))
        {
            _fallbackLogged = true;
            Log.TemplateFallback(logger, _model.ModelId);
        }

        var prompt = _model.TokenizePrompt(promptText, _model.NativeHandle.Vocab.ShouldAddBOS);
        var seed = options?.Seed is { } s2 ? (uint)(s2 & 0xFFFFFFFF) : _model.Options.Seed is { } s3 ? (uint)s3 : (uint)Random.Shared.Next();
        var sampling = new SamplingSettings
        {
            Temperature = temperature,
            TopK = topK,
            TopP = topP,
            MinP = _options.MinP,
            RepeatPenalty = _options.RepeatPenalty,
            FrequencyPenalty = options?.FrequencyPenalty ?? 0,
            PresencePenalty = options?.PresencePenalty ?? 0,
            Seed = seed,
            Grammar = grammar,
        };
        return new Plan(promptText, prompt, sampling, maxTokens, options?.StopSequences is { } stops ? [.. stops] : [], tools.Count > 0);
    }

    private sealed record Plan(string PromptText, LLama.Native.LLamaToken[] Prompt, SamplingSettings Sampling, int MaxTokens, IReadOnlyList<string> StopSequences, bool ToolsActive);
}
