using System.Diagnostics;
using System.Runtime.CompilerServices;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Models;

/// <summary>A chat client as a step: a prompt in, a <see cref="ChatResponse"/> out; streaming yields one response per
/// update as it arrives. Spans carry the OpenTelemetry GenAI attributes.</summary>
internal sealed class ChatModelRunnable(IChatClient client, ChatOptions? options) : Runnable<PromptValue, ChatResponse>
{
    private readonly ChatClientMetadata? _metadata = client.GetService<ChatClientMetadata>();
    private readonly string _name = options?.ModelId ?? client.GetService<ChatClientMetadata>()?.DefaultModelId ?? "ChatModel";
    private readonly string _spanName = "chat " + (options?.ModelId ?? client.GetService<ChatClientMetadata>()?.DefaultModelId ?? "ChatModel");

    public override string Name => _name;

    protected internal override string StepKind => StepKinds.ChatModel;

    protected internal override async ValueTask<ChatResponse> InvokeCoreAsync(PromptValue input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var response = await client.GetResponseAsync(input.Messages, options, cancellationToken);
        if (context.Scope?.Activity is { } activity)
        {
            SetResponseTags(activity, response.ResponseId, response.ModelId, response.FinishReason, response.Usage);
        }

        return response;
    }

    protected internal override async IAsyncEnumerable<ChatResponse> StreamCoreAsync(PromptValue input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        string? responseId = null;
        string? modelId = null;
        ChatFinishReason? finishReason = null;
        UsageDetails? usage = null;
        await foreach (var update in client.GetStreamingResponseAsync(input.Messages, options, cancellationToken).WithCancellation(cancellationToken))
        {
            responseId ??= update.ResponseId;
            modelId ??= update.ModelId;
            finishReason ??= update.FinishReason;
            foreach (var content in update.Contents)
            {
                if (content is UsageContent u)
                {
                    (usage ??= new UsageDetails()).Add(u.Details);
                }
            }

            // A client that ignores the token still stops at its next update.
            cancellationToken.ThrowIfCancellationRequested();
            yield return ToChunk(update);
        }

        if (context.Scope?.Activity is { } activity)
        {
            SetResponseTags(activity, responseId, modelId, finishReason, usage);
        }
    }

    internal override RunScope StartScope(string name, RunContext parent, object? input, bool streaming, IReadOnlyList<string>? tags, IReadOnlyDictionary<string, object?>? metadata)
    {
        var spanName = ReferenceEquals(name, _name) ? _spanName : "chat " + name;
        var scope = RunScope.Start(name, StepKind, parent, input, streaming, tags, metadata, spanName);
        if (scope.Activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("gen_ai.operation.name", "chat");
            activity.SetTag("gen_ai.provider.name", _metadata?.ProviderName);
            activity.SetTag("gen_ai.request.model", options?.ModelId ?? _metadata?.DefaultModelId);
            activity.SetTag("gen_ai.request.max_tokens", options?.MaxOutputTokens);
            activity.SetTag("gen_ai.request.temperature", options?.Temperature);
            activity.SetTag("gen_ai.request.top_p", options?.TopP);
            activity.SetTag("gen_ai.request.top_k", options?.TopK);
            activity.SetTag("gen_ai.request.seed", options?.Seed);
        }

        return scope;
    }

    /// <summary>Wraps one streaming update as a response whose <see cref="ChatResponse.ToChatResponseUpdates"/> gives it back.</summary>
    internal static ChatResponse ToChunk(ChatResponseUpdate update)
        => new(new ChatMessage(update.Role ?? ChatRole.Assistant, update.Contents)
        {
            MessageId = update.MessageId,
            AuthorName = update.AuthorName,
            CreatedAt = update.CreatedAt,
        })
        {
            ResponseId = update.ResponseId,
            ConversationId = update.ConversationId,
            ModelId = update.ModelId,
            CreatedAt = update.CreatedAt,
            FinishReason = update.FinishReason,
            AdditionalProperties = update.AdditionalProperties,
            RawRepresentation = update,
        };

    private static void SetResponseTags(Activity activity, string? responseId, string? modelId, ChatFinishReason? finishReason, UsageDetails? usage)
    {
        activity.SetTag("gen_ai.response.id", responseId);
        activity.SetTag("gen_ai.response.model", modelId);
        if (finishReason is { } reason)
        {
            activity.SetTag("gen_ai.response.finish_reasons", new[] { reason.Value });
        }

        if (usage is not null)
        {
            activity.SetTag("gen_ai.usage.input_tokens", usage.InputTokenCount);
            activity.SetTag("gen_ai.usage.output_tokens", usage.OutputTokenCount);
        }
    }
}

/// <summary>An embedding generator as a step: one value in, its embedding out.</summary>
internal sealed class EmbeddingRunnable<TInput, TEmbedding>(IEmbeddingGenerator<TInput, TEmbedding> generator, EmbeddingGenerationOptions? options) : Runnable<TInput, TEmbedding>
    where TEmbedding : Embedding
{
    public override string Name => options?.ModelId ?? generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? "Embeddings";

    protected internal override string StepKind => StepKinds.Embedding;

    protected internal override async ValueTask<TEmbedding> InvokeCoreAsync(TInput input, RunContext context, CancellationToken cancellationToken)
    {
        var embeddings = await generator.GenerateAsync([input], options, cancellationToken);
        return embeddings.Count == 1
            ? embeddings[0]
            : throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for one input.");
    }
}

/// <summary>An embedding generator as a step over a list of values (one call for the whole list).</summary>
internal sealed class EmbeddingBatchRunnable<TInput, TEmbedding>(IEmbeddingGenerator<TInput, TEmbedding> generator, EmbeddingGenerationOptions? options) : Runnable<IReadOnlyList<TInput>, GeneratedEmbeddings<TEmbedding>>
    where TEmbedding : Embedding
{
    public override string Name => options?.ModelId ?? generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? "Embeddings";

    protected internal override string StepKind => StepKinds.Embedding;

    protected internal override async ValueTask<GeneratedEmbeddings<TEmbedding>> InvokeCoreAsync(IReadOnlyList<TInput> input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var embeddings = await generator.GenerateAsync(input, options, cancellationToken);
        return embeddings.Count == input.Count
            ? embeddings
            : throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for {input.Count} inputs.");
    }
}
