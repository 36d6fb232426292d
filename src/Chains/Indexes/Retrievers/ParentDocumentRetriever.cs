using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Indexes.Retrievers;

/// <summary>
/// Searches small chunks, returns their parents: chunks embed precisely, parents give the model enough context. Chunks
/// live in an <see cref="IVectorStore"/> and name their parent in metadata (<see cref="ParentDocumentRetrieverOptions.ParentIdKey"/>);
/// parents live in an <see cref="IDocumentStore"/>. <see cref="AddDocumentsAsync"/> fills both.
/// </summary>
/// <remarks>Parents are returned in the order of their best chunk, each once; a chunk whose parent is missing from the
/// document store is skipped.</remarks>
public sealed class ParentDocumentRetriever : Retriever
{
    private readonly QueryEmbedder _embedder;
    private readonly VectorSearchOptions _search;

    /// <summary>Initializes a new retriever.</summary>
    /// <param name="chunkStore">The vector store of the chunks.</param>
    /// <param name="embeddingGenerator">Embeds the query and, in <see cref="AddDocumentsAsync"/>, the chunks.</param>
    /// <param name="parentStore">The store of the parent documents.</param>
    /// <param name="options">How many parents and chunks, the parent-id key and a chunk filter; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException">A store or the generator is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><c>Top</c> is less than 1 or <c>ChunkTop</c> is less than <c>Top</c>.</exception>
    /// <exception cref="ArgumentException"><c>ParentIdKey</c> is empty.</exception>
    public ParentDocumentRetriever(IVectorStore chunkStore, IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator, IDocumentStore parentStore, ParentDocumentRetrieverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chunkStore);
        ArgumentNullException.ThrowIfNull(parentStore);
        options ??= new ParentDocumentRetrieverOptions();
        if (options.Top < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Top, "Top must be at least 1.");
        }

        if (options.ChunkTop < options.Top)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ChunkTop, $"ChunkTop ({options.ChunkTop}) must be at least Top ({options.Top}).");
        }

        if (string.IsNullOrWhiteSpace(options.ParentIdKey))
        {
            throw new ArgumentException("ParentIdKey must be a non-empty metadata key.", nameof(options));
        }

        ChunkStore = chunkStore;
        ParentStore = parentStore;
        Options = options;
        _embedder = new QueryEmbedder(embeddingGenerator);
        _search = new VectorSearchOptions { Top = options.ChunkTop, Filter = options.Filter, MinScore = options.MinScore };
    }

    /// <summary>Gets the vector store of the chunks.</summary>
    public IVectorStore ChunkStore { get; }

    /// <summary>Gets the store of the parent documents.</summary>
    public IDocumentStore ParentStore { get; }

    /// <summary>Gets the options.</summary>
    public ParentDocumentRetrieverOptions Options { get; }

    /// <summary>Indexes parent documents: splits each with <paramref name="splitter"/>, tags every chunk with its parent's
    /// id, embeds the chunks in one call, upserts them into <see cref="ChunkStore"/> and stores the parents in
    /// <see cref="ParentStore"/>.</summary>
    /// <param name="parents">The parent documents.</param>
    /// <param name="splitter">Splits a parent into the chunks that are embedded.</param>
    /// <param name="cancellationToken">A token that cancels indexing.</param>
    /// <returns>The number of chunks stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parents"/> or <paramref name="splitter"/> is <see langword="null"/>, or a parent is.</exception>
    /// <exception cref="InvalidOperationException">The generator returned a different number of embeddings than chunks.</exception>
    public async Task<int> AddDocumentsAsync(IEnumerable<Document> parents, ITextSplitter splitter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parents);
        ArgumentNullException.ThrowIfNull(splitter);
        var parentList = parents.ToArray();
        var chunks = new List<Document>();
        foreach (var parent in parentList)
        {
            ArgumentNullException.ThrowIfNull(parent, nameof(parents));
            foreach (var chunk in splitter.Split(parent))
            {
                chunks.Add(chunk with { Metadata = chunk.Metadata.With(Options.ParentIdKey, parent.Id) });
            }
        }

        if (chunks.Count > 0)
        {
            var embeddings = await _embedder.Generator.GenerateAsync(chunks.Select(c => c.Content), null, cancellationToken);
            if (embeddings.Count != chunks.Count)
            {
                throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for {chunks.Count} chunks.");
            }

            var records = new VectorRecord[chunks.Count];
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = new VectorRecord(chunks[i], embeddings[i].Vector);
            }

            await ChunkStore.UpsertAsync(records, cancellationToken);
        }

        await ParentStore.SetAsync(parentList, cancellationToken);
        return chunks.Count;
    }

    /// <inheritdoc />
    protected internal override async ValueTask<IReadOnlyList<Document>> InvokeCoreAsync(string input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var vector = await _embedder.EmbedAsync(input, context, cancellationToken);
        var chunks = await ChunkStore.SearchAsync(vector, _search, cancellationToken);
        var parentIds = new List<string>(Options.Top);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in chunks)
        {
            if (chunk.Document.Metadata.GetString(Options.ParentIdKey) is { } parentId && seen.Add(parentId))
            {
                parentIds.Add(parentId);
            }
        }

        if (parentIds.Count == 0)
        {
            return [];
        }

        var parents = await ParentStore.GetAsync(parentIds, cancellationToken);
        return parents.Count > Options.Top ? parents.Take(Options.Top).ToArray() : parents;
    }
}
