using System.Numerics.Tensors;
using System.Text;
using LLama.Native;

namespace Chains.LLamaSharp.Embeddings;

/// <summary>One embedding context per pooling type: inputs are packed several to a batch (one sequence each), evaluated
/// with one <c>llama_decode</c>, and read back pooled by llama.cpp. Calls are serialised on the context.</summary>
internal sealed class LlamaEmbeddingEngine : IDisposable
{
    private readonly LlamaModel _model;
    private readonly Dictionary<LLamaPoolingType, (SafeLLamaContextHandle Context, int Sequences)> _contexts = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly LLamaBatch _batch = new();
    private bool _disposed;

    public LlamaEmbeddingEngine(LlamaModel model) => _model = model;

    public int Dimensions => _model.NativeHandle.EmbeddingSize;

    public async Task<(float[][] Vectors, int Tokens)> EmbedAsync(IReadOnlyList<string> inputs, LlamaEmbeddingOptions options, CancellationToken cancellationToken)
    {
        var pooling = ResolvePooling(options.Pooling);
        var tokenized = new LLamaToken[inputs.Count][];
        var addBos = _model.NativeHandle.Vocab.ShouldAddBOS;
        for (var i = 0; i < inputs.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(inputs[i], $"values[{i}]");
            var tokens = _model.NativeHandle.Tokenize(inputs[i], addBos, false, Encoding.UTF8);
            if (tokens.Length == 0)
            {
                // llama.cpp cannot pool an empty sequence; embed the start token instead.
                tokens = _model.NativeHandle.Vocab.BOS is { } bos
                    ? [bos]
                    : throw new ArgumentException($"values[{i}] is empty and the model has no BOS token to embed in its place.", nameof(inputs));
            }

            if (tokens.Length > _model.ContextSize)
            {
                throw new ArgumentException($"values[{i}] has {tokens.Length} tokens, more than the model's {_model.ContextSize}-token context; split the text first.", nameof(inputs));
            }

            tokenized[i] = tokens;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await Task.Run(() => Embed(tokenized, pooling, options, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _disposed = true;
            foreach (var (context, _) in _contexts.Values)
            {
                context.Dispose();
            }

            _contexts.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    private (float[][] Vectors, int Tokens) Embed(LLamaToken[][] inputs, LLamaPoolingType pooling, LlamaEmbeddingOptions options, CancellationToken cancellationToken)
    {
        var (context, sequences) = GetContext(pooling, options.MaxBatchInputs);
        var results = new float[inputs.Length][];
        var totalTokens = 0;
        var capacity = _model.ContextSize;
        var next = 0;
        while (next < inputs.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _batch.Clear();
            var first = next;
            var used = 0;
            while (next < inputs.Length && next - first < sequences && used + inputs[next].Length <= capacity)
            {
                var seq = (LLamaSeqId)(next - first);
                var tokens = inputs[next];
                for (var t = 0; t < tokens.Length; t++)
                {
                    _batch.Add(tokens[t], t, seq, true);
                }

                used += tokens.Length;
                next++;
            }

            context.MemoryClear(true);
            var result = context.Decode(_batch);
            if (result != DecodeResult.Ok)
            {
                throw new InvalidOperationException($"llama_decode failed ({result}) while embedding {next - first} inputs.");
            }

            totalTokens += used;
            for (var i = first; i < next; i++)
            {
                var vector = context.GetEmbeddingsSeq((LLamaSeqId)(i - first)).ToArray();
                if (options.Normalize)
                {
                    var norm = TensorPrimitives.Norm(vector);
                    if (norm > 0)
                    {
                        TensorPrimitives.Divide(vector, norm, vector);
                    }
                }

                results[i] = vector;
            }
        }

        return (results, totalTokens);
    }

    private (SafeLLamaContextHandle Context, int Sequences) GetContext(LLamaPoolingType pooling, int maxInputs)
    {
        if (_contexts.TryGetValue(pooling, out var existing) && existing.Sequences >= maxInputs)
        {
            return existing;
        }

        if (existing.Context is not null)
        {
            existing.Context.Dispose();
        }

        var size = _model.ContextSize;
        var context = _model.CreateContext(builder =>
        {
            ref var p = ref builder.Params;
            p.embeddings = true;
            p.llama_pooling_type = pooling;
            p.n_ctx = (uint)size;
            p.n_batch = (uint)size;
            p.n_ubatch = (uint)size;
            p.n_seq_max = (uint)maxInputs;
            p.kv_unified = true;
        });
        _contexts[pooling] = (context, maxInputs);
        return (context, maxInputs);
    }

    private LLamaPoolingType ResolvePooling(EmbeddingPooling pooling) => pooling switch
    {
        EmbeddingPooling.Mean => LLamaPoolingType.Mean,
        EmbeddingPooling.Cls => LLamaPoolingType.CLS,
        EmbeddingPooling.Last => LLamaPoolingType.Last,
        _ => _model.Info.GetInt($"{_model.Info.Architecture}.pooling_type") switch
        {
            2 => LLamaPoolingType.CLS,
            3 => LLamaPoolingType.Last,
            _ => LLamaPoolingType.Mean,
        },
    };
}
