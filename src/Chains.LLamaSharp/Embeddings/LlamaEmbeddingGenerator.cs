using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Embeddings;

/// <summary><see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> over a <see cref="LlamaModel"/>: pooled (mean, CLS,
/// last or the model's own), optionally normalised, batched several inputs per decode; the dimensions are in the metadata,
/// and <see cref="EmbeddingGenerationOptions.Dimensions"/> truncates (Matryoshka-style) and re-normalises.</summary>
internal sealed class LlamaEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LlamaModel _model;
    private readonly LlamaEmbeddingOptions _options;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public LlamaEmbeddingGenerator(LlamaModel model, LlamaEmbeddingOptions options)
    {
        options.Validate();
        _model = model;
        _options = options;
        _metadata = new EmbeddingGeneratorMetadata("llama.cpp", null, model.ModelId, model.NativeHandle.EmbeddingSize);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values as IReadOnlyList<string> ?? [.. values];
        var full = _model.NativeHandle.EmbeddingSize;
        var dimensions = options?.Dimensions ?? full;
        if (dimensions < 1 || dimensions > full)
        {
            throw new ArgumentOutOfRangeException(nameof(options), dimensions, $"EmbeddingGenerationOptions.Dimensions must be between 1 and the model's {full}.");
        }

        var (vectors, tokens) = inputs.Count == 0
            ? ([], 0)
            : LlamaTelemetry.IsRequestObserved
                ? await EmbedTracedAsync(inputs, dimensions, cancellationToken).ConfigureAwait(false)
                : await _model.EmbeddingEngine.EmbedAsync(inputs, _options, cancellationToken).ConfigureAwait(false);
        var createdAt = _model.Options.TimeProvider.GetUtcNow();
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length)
        {
            Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
        };
        foreach (var vector in vectors)
        {
            var v = vector;
            if (dimensions < full)
            {
                v = vector[..dimensions];
                if (_options.Normalize)
                {
                    var norm = TensorPrimitives.Norm(v);
                    if (norm > 0)
                    {
                        TensorPrimitives.Divide(v, norm, v);
                    }
                }
            }

            result.Add(new Embedding<float>(v) { ModelId = _model.ModelId, CreatedAt = createdAt });
        }

        return result;
    }

    /// <summary>Embeds inside the span <c>embeddings {model}</c> and records the duration and input tokens; no input
    /// text is recorded.</summary>
    private async Task<(float[][] Vectors, int Tokens)> EmbedTracedAsync(IReadOnlyList<string> inputs, int dimensions, CancellationToken cancellationToken)
    {
        var model = _model.ModelId;
        var started = Stopwatch.GetTimestamp();
        using var activity = LlamaTelemetry.Source.StartActivity("embeddings " + model, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", "embeddings");
            activity.SetTag("gen_ai.provider.name", LlamaTelemetry.ProviderName);
            activity.SetTag("gen_ai.request.model", model);
            activity.SetTag("gen_ai.embeddings.dimension.count", dimensions);
            activity.SetTag("chains.llama.input_count", inputs.Count);
        }

        try
        {
            var result = await _model.EmbeddingEngine.EmbedAsync(inputs, _options, cancellationToken).ConfigureAwait(false);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag("gen_ai.response.model", model);
                activity.SetTag("gen_ai.usage.input_tokens", result.Tokens);
            }

            LlamaTelemetry.RecordRequest("embeddings", model, started, Stopwatch.GetTimestamp(), null, result.Tokens, null);
            return result;
        }
        catch (Exception ex)
        {
            LlamaTelemetry.SetError(activity, ex);
            LlamaTelemetry.RecordRequest("embeddings", model, started, Stopwatch.GetTimestamp(), ex.GetType().FullName, null, null);
            throw;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
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
        // The model owns the native resources.
    }
}
