using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace Chains.Onnx.Tests;

internal static class Vectors
{
    public static float Cosine(Embedding<float> a, Embedding<float> b) => TensorPrimitives.CosineSimilarity(a.Vector.Span, b.Vector.Span);

    public static float Norm(Embedding<float> a) => TensorPrimitives.Norm(a.Vector.Span);

    public static float MaxAbsDifference(Embedding<float> a, Embedding<float> b)
    {
        var max = 0f;
        for (var i = 0; i < a.Vector.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a.Vector.Span[i] - b.Vector.Span[i]));
        }

        return max;
    }
}
