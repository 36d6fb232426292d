using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>Embeds a retriever's query as a child step of the retriever, so embedding calls show up, nested, in the
/// run's events and spans.</summary>
internal sealed class QueryEmbedder
{
    private readonly Runnable<string, Embedding<float>> _step;

    public QueryEmbedder(IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Generator = generator;
        _step = generator.AsRunnable();
    }

    public IEmbeddingGenerator<string, Embedding<float>> Generator { get; }

    public async ValueTask<ReadOnlyMemory<float>> EmbedAsync(string query, RunContext context, CancellationToken cancellationToken)
    {
        var embedding = await context.InvokeAsync(_step, query, cancellationToken);
        return embedding.Vector;
    }
}
