using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Chains.Onnx;
using FastBertTokenizer;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;

namespace Chains.Benchmarks;

/// <summary>
/// <see cref="MiniLmEmbeddingGenerator"/> over 64 sentences, against a hand-written loop over raw ONNX Runtime with the
/// same model, tokenizer, threads and batches (32 texts padded to the longest, mean pooling, unit length).
/// </summary>
/// <remarks>ONNX Runtime telemetry is turned off in <see cref="Setup"/>, before ONNX Runtime starts.</remarks>
[BenchmarkCategory("onnx")]
public class OnnxEmbeddingBenchmarks
{
    private const int BatchSize = 32;
    private const int MaxTokens = 256;
    private const int Dimensions = 384;

    private static readonly string[] Subjects = ["The cat", "A young engineer", "The central bank", "Our team", "The old lighthouse", "A storm", "The museum", "Every student"];
    private static readonly string[] Predicates =
    [
        "sits quietly on the mat.",
        "announced a new plan to reduce interest rates over the next two quarters, surprising most analysts.",
        "was closed for renovation after the flood damaged the lower floors and most of the archive.",
        "wrote a short note.",
        "is looking for ways to make embeddings faster without losing accuracy on multilingual benchmarks.",
        "moved north overnight, bringing heavy rain, strong winds and a risk of flooding to coastal towns.",
        "smiled.",
        "spent the whole afternoon reading about the history of mathematics, from Euclid to modern topology.",
    ];

    private string[] _sentences = null!;
    private MiniLmEmbeddingGenerator _generator = null!;
    private InferenceSession _session = null!;
    private BertTokenizer _tokenizer = null!;

    [GlobalSetup]
    public void Setup()
    {
        OrtTelemetry.Disable();
        _sentences = Subjects.SelectMany(s => Predicates.Select(p => $"{s} {p}")).ToArray();
        _generator = new MiniLmEmbeddingGenerator(new MiniLmOptions { BatchSize = BatchSize, MaxSequenceLength = MaxTokens });

        var assembly = typeof(MiniLmEmbeddingGenerator).Assembly;
        using (var vocabulary = new StreamReader(assembly.GetManifestResourceStream(MiniLmEmbeddingGenerator.VocabularyResourceName)!))
        {
            _tokenizer = new BertTokenizer();
            _tokenizer.LoadVocabulary(vocabulary, convertInputToLowercase: true);
        }

        using var model = new MemoryStream();
        assembly.GetManifestResourceStream(MiniLmEmbeddingGenerator.ModelResourceName)!.CopyTo(model);
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = Environment.ProcessorCount,
            InterOpNumThreads = 1,
        };
        _session = new InferenceSession(model.ToArray(), options);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _generator.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true)]
    public float[][] RawOnnxRuntime()
    {
        var results = new float[_sentences.Length][];
        for (var start = 0; start < _sentences.Length; start += BatchSize)
        {
            var count = Math.Min(BatchSize, _sentences.Length - start);
            var rows = new long[count][];
            var longest = 0;
            for (var i = 0; i < count; i++)
            {
                var ids = new long[MaxTokens];
                var length = _tokenizer.Encode(_sentences[start + i], ids, new long[MaxTokens]);
                rows[i] = ids[..length];
                longest = Math.Max(longest, length);
            }

            var inputIds = new long[count * longest];
            var mask = new long[count * longest];
            for (var i = 0; i < count; i++)
            {
                rows[i].CopyTo(inputIds, i * longest);
                mask.AsSpan(i * longest, rows[i].Length).Fill(1);
            }

            long[] shape = [count, longest];
            using var ids0 = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
            using var mask0 = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using var types0 = OrtValue.CreateTensorValueFromMemory(new long[count * longest], shape);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [ids0, mask0, types0], ["last_hidden_state"]);
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            for (var i = 0; i < count; i++)
            {
                var vector = new float[Dimensions];
                for (var t = 0; t < rows[i].Length; t++)
                {
                    TensorPrimitives.Add(vector, hidden.Slice(((i * longest) + t) * Dimensions, Dimensions), vector);
                }

                TensorPrimitives.Divide(vector, rows[i].Length, vector);
                TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
                results[start + i] = vector;
            }
        }

        return results;
    }

    [Benchmark]
    public async Task<GeneratedEmbeddings<Embedding<float>>> MiniLmGenerator() => await _generator.GenerateAsync(_sentences);
}
