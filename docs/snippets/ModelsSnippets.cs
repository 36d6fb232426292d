// The code of docs/concepts/models.md, compiled and run by tests/Chains.Docs.Tests.
using System.Numerics.Tensors;
using Chains.Onnx;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Snippets;

/// <summary>The models page: chat clients and embedding generators as steps.</summary>
public static class ModelsSnippets
{
    /// <summary>A chat client as a step: invoked and streamed.</summary>
    public static async Task<ChatResponse> ChatModelAsync(IChatClient client)
    {
        // <snippet:models-chat>
        Runnable<PromptValue, ChatResponse> model = client.AsRunnable(new ChatOptions { Temperature = 0 });

        ChatResponse response = await model.InvokeAsync("Say hello in Chinese.");   // text or messages convert to a PromptValue
        Console.WriteLine(response.Text);

        await foreach (ChatResponse chunk in model.StreamAsync("Say hello in Chinese."))   // one ChatResponse per update
        {
            Console.Write(chunk.Text);
        }
        // </snippet:models-chat>
        return response;
    }

    /// <summary>An embedding generator as a step, one text or a batch per call.</summary>
    public static async Task<(float Related, float Unrelated)> EmbeddingsAsync()
    {
        // <snippet:models-embeddings>
        using var generator = new MiniLmEmbeddingGenerator();

        Runnable<string, Embedding<float>> embed = generator.AsRunnable();
        Runnable<IReadOnlyList<string>, GeneratedEmbeddings<Embedding<float>>> embedMany = generator.AsBatchRunnable();

        Embedding<float> query = await embed.InvokeAsync("A cat is lying on the rug.");
        GeneratedEmbeddings<Embedding<float>> passages = await embedMany.InvokeAsync(
            ["A cat sits on the mat.", "Stock markets fell sharply today."]);

        // The vectors are normalised, so the dot product is the cosine similarity.
        float related = TensorPrimitives.Dot(query.Vector.Span, passages[0].Vector.Span);
        float unrelated = TensorPrimitives.Dot(query.Vector.Span, passages[1].Vector.Span);
        Console.WriteLine($"cat/mat {related:F2}, cat/stocks {unrelated:F2}");
        // </snippet:models-embeddings>
        return (related, unrelated);
    }
}
