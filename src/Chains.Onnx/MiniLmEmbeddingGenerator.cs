using System.Buffers;
using System.Diagnostics;
using System.Numerics.Tensors;
using FastBertTokenizer;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;

namespace Chains.Onnx;

/// <summary>
/// Sentence embeddings from all-MiniLM-L6-v2 (384 dimensions) on ONNX Runtime, offline: the model and its vocabulary
/// are embedded in this assembly, nothing is downloaded and nothing is sent anywhere.
/// </summary>
/// <remarks>
/// <para>Texts are tokenized with the model's uncased WordPiece vocabulary (CJK characters are single tokens),
/// truncated to <see cref="MiniLmOptions.MaxSequenceLength"/>, run through the model in batches of
/// <see cref="MiniLmOptions.BatchSize"/> padded to the longest text of the batch, mean-pooled over the real tokens and
/// (by default) scaled to unit length. The vectors match the sentence-transformers reference implementation.</para>
/// <para>Create one instance and share it: loading takes a few hundred milliseconds and about 100 MB of memory, and
/// <see cref="GenerateAsync"/> is thread-safe. Inference runs on the calling thread (wrap the call in
/// <see cref="Task.Run(Func{Task})"/> to keep a UI thread free); cancellation stops a running batch.</para>
/// <para>ONNX Runtime telemetry is turned off before ONNX Runtime starts: the first generator created sets
/// <c>ORT_DISABLE_TELEMETRY=1</c> in the native process environment and calls
/// <see cref="OrtEnv.DisableTelemetryEvents"/>. If the application uses ONNX Runtime before that, set the variable
/// yourself before the process starts.</para>
/// <para>Model licence: all-MiniLM-L6-v2 by the sentence-transformers project, derived from Microsoft's MiniLM, is
/// licensed under the Apache License 2.0; the notice ships as <c>THIRD-PARTY-NOTICES.txt</c> in the Chains.Onnx
/// package.</para>
/// </remarks>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model id reported in <see cref="EmbeddingGeneratorMetadata"/> and on each embedding.</summary>
    public const string ModelId = "all-MiniLM-L6-v2";

    /// <summary>The length of each embedding.</summary>
    public const int Dimensions = 384;

    internal const string ModelResourceName = "Chains.Onnx.all-MiniLM-L6-v2.onnx";
    internal const string VocabularyResourceName = "Chains.Onnx.all-MiniLM-L6-v2.vocab.txt";

    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private static readonly string[] OutputNames = ["last_hidden_state"];

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly EmbeddingGeneratorMetadata _metadata = new("onnxruntime", null, ModelId, Dimensions);
    private readonly int _maxSequenceLength;
    private readonly int _batchSize;
    private readonly bool _normalize;
    private int _disposed;

    /// <summary>Loads the model and its vocabulary from this assembly.</summary>
    /// <param name="options">Sequence length, batch size, normalisation and threads; <see langword="null"/> for the
    /// defaults. Read once.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public MiniLmEmbeddingGenerator(MiniLmOptions? options = null)
    {
        options ??= new MiniLmOptions();
        options.Validate();
        OrtTelemetry.Disable(); // before any other ONNX Runtime call starts the native library
        _maxSequenceLength = options.MaxSequenceLength;
        _batchSize = options.BatchSize;
        _normalize = options.Normalize;

        _tokenizer = new BertTokenizer();
        using (var vocabulary = new StreamReader(OpenResource(VocabularyResourceName)))
        {
            _tokenizer.LoadVocabulary(vocabulary, convertInputToLowercase: true);
        }

        byte[] model;
        using (var stream = OpenResource(ModelResourceName))
        {
            model = new byte[stream.Length];
            stream.ReadExactly(model);
        }

        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.IntraOpNumThreads,
            InterOpNumThreads = options.InterOpNumThreads,
        };
        _session = new InferenceSession(model, sessionOptions);
    }

    /// <summary>Counts the tokens the model sees for <paramref name="text"/>: <c>[CLS]</c> and <c>[SEP]</c> included,
    /// at most <see cref="MiniLmOptions.MaxSequenceLength"/>. Usable as the token counter of the token-budget batching
    /// middleware.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The number of tokens.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The generator is disposed.</exception>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var buffer = ArrayPool<long>.Shared.Rent(_maxSequenceLength * 2);
        try
        {
            return _tokenizer.Encode(text, buffer.AsSpan(0, _maxSequenceLength), buffer.AsSpan(_maxSequenceLength, _maxSequenceLength));
        }
        finally
        {
            ArrayPool<long>.Shared.Return(buffer);
        }
    }

    /// <summary>Embeds <paramref name="values"/>, in order, <see cref="MiniLmOptions.BatchSize"/> texts per model run.</summary>
    /// <param name="values">The texts; an empty text is embedded as the model's empty sequence.</param>
    /// <param name="options"><see cref="EmbeddingGenerationOptions.Dimensions"/> may be <see langword="null"/> or 384;
    /// other options are ignored.</param>
    /// <param name="cancellationToken">A token that cancels the call, the running batch included.</param>
    /// <returns>One embedding per text, with <see cref="Embedding.ModelId"/> set and the token count in
    /// <see cref="GeneratedEmbeddings{TEmbedding}.Usage"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its texts is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><see cref="EmbeddingGenerationOptions.Dimensions"/> is not 384.</exception>
    /// <exception cref="ObjectDisposedException">The generator is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } dimensions && dimensions != Dimensions)
        {
            throw new ArgumentException($"{ModelId} produces {Dimensions} dimensions; {dimensions} were requested.", nameof(options));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<GeneratedEmbeddings<Embedding<float>>>(cancellationToken);
        }

        try
        {
            var texts = values as IReadOnlyList<string> ?? [.. values];
            return Task.FromResult(OnnxTelemetry.IsEnabled ? GenerateTraced(texts, cancellationToken) : Generate(texts, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<GeneratedEmbeddings<Embedding<float>>>(cancellationToken);
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Releases the ONNX Runtime session. Do not dispose while calls are running.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _session.Dispose();
        }
    }

    private static Stream OpenResource(string name)
        => typeof(MiniLmEmbeddingGenerator).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing from {typeof(MiniLmEmbeddingGenerator).Assembly.GetName().Name}; the package is damaged.");

    /// <summary>Generates inside the span of the call and records its duration and input tokens (see
    /// <see cref="OnnxTelemetry"/>); never the texts.</summary>
    private GeneratedEmbeddings<Embedding<float>> GenerateTraced(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = OnnxTelemetry.StartEmbeddings(texts.Count, (texts.Count + _batchSize - 1) / _batchSize);
        try
        {
            var result = Generate(texts, cancellationToken);
            OnnxTelemetry.Completed(activity, started, result.Usage?.InputTokenCount ?? 0);
            return result;
        }
        catch (Exception ex)
        {
            OnnxTelemetry.Failed(activity, started, ex);
            throw;
        }
    }

    private GeneratedEmbeddings<Embedding<float>> Generate(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentNullException(nameof(texts), $"The text at index {i} is null.");
            }
        }

        var results = new List<Embedding<float>>(texts.Count);
        long tokens = 0;
        for (var start = 0; start < texts.Count; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(_batchSize, texts.Count - start);
            tokens += RunBatch(texts, start, count, results, cancellationToken);
        }

        return new GeneratedEmbeddings<Embedding<float>>(results)
        {
            Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
        };
    }

    /// <summary>Tokenizes, runs and pools texts[start..start+count], appending to <paramref name="results"/>.</summary>
    /// <returns>The number of real (unpadded) tokens.</returns>
    private long RunBatch(IReadOnlyList<string> texts, int start, int count, List<Embedding<float>> results, CancellationToken cancellationToken)
    {
        var stride = _maxSequenceLength;
        var ids = ArrayPool<long>.Shared.Rent(count * stride);
        var mask = ArrayPool<long>.Shared.Rent(count * stride);
        var types = ArrayPool<long>.Shared.Rent(count * stride);
        var lengths = ArrayPool<int>.Shared.Rent(count);
        try
        {
            // Tokenize each text into its own row (the span overload is thread-safe), then pack the rows to the
            // longest length so the model does no work on padding beyond it.
            var longest = 0;
            for (var i = 0; i < count; i++)
            {
                var length = _tokenizer.Encode(texts[start + i], ids.AsSpan(i * stride, stride), mask.AsSpan(i * stride, stride));
                lengths[i] = length;
                longest = Math.Max(longest, length);
            }

            long tokens = 0;
            for (var i = 0; i < count; i++)
            {
                var length = lengths[i];
                tokens += length;
                ids.AsSpan(i * stride, length).CopyTo(ids.AsSpan(i * longest));
                ids.AsSpan((i * longest) + length, longest - length).Clear();
                mask.AsSpan(i * longest, length).Fill(1);
                mask.AsSpan((i * longest) + length, longest - length).Clear();
            }

            var size = count * longest;
            types.AsSpan(0, size).Clear();
            long[] shape = [count, longest];
            using var inputIds = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ids.AsMemory(0, size), shape);
            using var attentionMask = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask.AsMemory(0, size), shape);
            using var tokenTypeIds = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, types.AsMemory(0, size), shape);

            using var runOptions = new RunOptions();
            using var registration = cancellationToken.CanBeCanceled
                ? cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions)
                : default;
            IDisposableReadOnlyCollection<OrtValue> outputs;
            try
            {
                outputs = _session.Run(runOptions, InputNames, [inputIds, attentionMask, tokenTypeIds], OutputNames);
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            using (outputs)
            {
                var hidden = outputs[0].GetTensorDataAsSpan<float>();
                for (var i = 0; i < count; i++)
                {
                    results.Add(new Embedding<float>(Pool(hidden.Slice(i * longest * Dimensions, lengths[i] * Dimensions), lengths[i])) { ModelId = ModelId });
                }
            }

            return tokens;
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<long>.Shared.Return(mask);
            ArrayPool<long>.Shared.Return(types);
            ArrayPool<int>.Shared.Return(lengths);
        }
    }

    /// <summary>Mean of the token vectors (the real tokens only), optionally scaled to unit length.</summary>
    private float[] Pool(ReadOnlySpan<float> tokenVectors, int length)
    {
        var vector = new float[Dimensions];
        for (var t = 0; t < length; t++)
        {
            TensorPrimitives.Add(vector, tokenVectors.Slice(t * Dimensions, Dimensions), vector);
        }

        TensorPrimitives.Divide(vector, Math.Max(length, 1), vector);
        if (_normalize)
        {
            var norm = TensorPrimitives.Norm(vector);
            if (norm > 1e-12f)
            {
                TensorPrimitives.Divide(vector, norm, vector);
            }
        }

        return vector;
    }
}
