// The code of docs/concepts/indexes.md, compiled and run by tests/Chains.Docs.Tests.
using Chains.Documents;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Chains.Indexes.Loaders;
using Chains.Indexes.Splitters;
using Chains.Indexes.VectorStores;
using Chains.Onnx;
using Chains.Rag;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Snippets;

/// <summary>The indexes page: loaders, splitters, the in-process store with MiniLM, incremental indexing, RAG.</summary>
public static class IndexesSnippets
{
    /// <summary>Loads a Chinese text file and splits it into chunks that keep their place in the file.</summary>
    public static async Task<IReadOnlyList<Document>> LoadAndSplitAsync(string folder)
    {
        // <snippet:indexes-load-split>
        string path = Path.Combine(folder, "长城.txt");
        await File.WriteAllTextAsync(path,   // UTF-8 here; GB18030/GBK files are detected too
            "长城是中国古代的军事防御工程。它东起山海关，西至嘉峪关，全长两万多公里。" +
            "修建长城的历史可以追溯到西周时期。秦始皇统一六国后，把各国的长城连接了起来。" +
            "现存的长城大多是明朝修建的。一九八七年，长城被列入世界文化遗产名录。");

        var loader = new TextLoader(path);
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions
        {
            ChunkSize = 40,      // characters; Chinese needs no spaces: 。！？； end sentences
            ChunkOverlap = 0,
        });

        var chunks = new List<Document>();
        await foreach (Document chunk in splitter.SplitAsync(loader.LoadAsync()))
        {
            Console.WriteLine($"{chunk.Span} {chunk.Content}");   // the span is where the chunk sits in the file
            chunks.Add(chunk);
        }
        // </snippet:indexes-load-split>
        return chunks;
    }

    /// <summary>Loads the main text of an HTML page (Chains.Documents).</summary>
    public static async Task<IReadOnlyList<Document>> LoadHtmlAsync(string folder)
    {
        // <snippet:indexes-html>
        string page = Path.Combine(folder, "faq.html");
        await File.WriteAllTextAsync(page, """
            <html><head><title>常见问题</title></head>
            <body><nav>首页 · 登录</nav>
              <main><h1>退货</h1><p>收到商品七天内可以无理由退货。</p></main>
              <footer>版权所有</footer></body></html>
            """);

        var pages = new List<Document>();
        await foreach (Document doc in new HtmlLoader(page).LoadAsync())   // PdfLoader and DocxLoader work the same way
        {
            Console.WriteLine($"{doc.Metadata.GetString(DocumentMetadataKeys.Title)}: {doc.Content}");
            pages.Add(doc);
        }
        // </snippet:indexes-html>
        return pages;
    }

    /// <summary>Embeds documents into the in-process store and searches them through a retriever with a filter.</summary>
    public static async Task<(IReadOnlyList<Document> All, IReadOnlyList<Document> Filtered)> VectorStoreAsync()
    {
        // <snippet:indexes-vector-store>
        using var embedder = new MiniLmEmbeddingGenerator();
        using var store = new InMemoryVectorStore();   // exact search; SaveAsync / LoadAsync keep it in a file

        Document[] docs =
        [
            new("cats", "Cats sleep for most of the day and like warm windowsills.", new DocumentMetadata([new("topic", "pets")])),
            new("dogs", "Dogs need a walk twice a day and love to fetch a ball.", new DocumentMetadata([new("topic", "pets")])),
            new("bread", "Knead the dough, let it rise for an hour, then bake it.", new DocumentMetadata([new("topic", "cooking")])),
        ];
        GeneratedEmbeddings<Embedding<float>> vectors = await embedder.GenerateAsync(docs.Select(d => d.Content));
        await store.UpsertAsync([.. docs.Select((d, i) => new VectorRecord(d, vectors[i].Vector))]);

        var retriever = store.AsRetriever(embedder, new VectorSearchOptions { Top = 2 });
        IReadOnlyList<Document> found = await retriever.InvokeAsync("Where does my cat like to nap?");

        var onlyCooking = store.AsRetriever(embedder, new VectorSearchOptions { Top = 2, Filter = MetadataFilter.Eq("topic", "cooking") });
        IReadOnlyList<Document> recipes = await onlyCooking.InvokeAsync("Where does my cat like to nap?");
        // </snippet:indexes-vector-store>
        return (found, recipes);
    }

    /// <summary>Incremental indexing: the second run over unchanged files embeds nothing.</summary>
    public static async Task<(IndexingResult First, IndexingResult Second, IndexingResult AfterEdit)> IndexerAsync(string folder)
    {
        // <snippet:indexes-indexer>
        await File.WriteAllTextAsync(Path.Combine(folder, "chains.md"), "# Chains\n\nPipe connects steps into a chain.");
        await File.WriteAllTextAsync(Path.Combine(folder, "agents.md"), "# Agents\n\nAn agent calls tools in a loop.");

        using var embedder = new MiniLmEmbeddingGenerator();
        using var store = new InMemoryVectorStore();
        var indexer = new Indexer(store, embedder, new RecursiveCharacterTextSplitter(),
            new InMemoryRecordManager(),   // FileRecordManager or PostgreSQL keep the records between runs
            new IndexerOptions { Cleanup = IndexCleanupMode.Full });

        IndexingResult first = await indexer.IndexAsync(new DirectoryLoader(folder));
        IndexingResult second = await indexer.IndexAsync(new DirectoryLoader(folder));   // nothing changed
        await File.WriteAllTextAsync(Path.Combine(folder, "agents.md"), "# Agents\n\nAn agent calls tools until it can answer.");
        IndexingResult third = await indexer.IndexAsync(new DirectoryLoader(folder));    // one file changed

        Console.WriteLine($"embedding calls: {first.EmbeddingCalls}, {second.EmbeddingCalls}, {third.EmbeddingCalls}");
        // </snippet:indexes-indexer>
        return (first, second, third);
    }

    /// <summary>Retrieval QA with checked citations.</summary>
    public static async Task<RagAnswer> RagAsync(IChatClient client)
    {
        using var embedder = new MiniLmEmbeddingGenerator();
        using var store = new InMemoryVectorStore();
        Document[] docs =
        [
            new("cats", "Cats sleep for most of the day. They like warm windowsills.", source: "cats.md"),
            new("bread", "Let the dough rise for an hour. Then bake it at 220 degrees.", source: "bread.md"),
        ];
        var vectors = await embedder.GenerateAsync(docs.Select(d => d.Content));
        await store.UpsertAsync([.. docs.Select((d, i) => new VectorRecord(d, vectors[i].Vector))]);
        var retriever = store.AsRetriever(embedder, new VectorSearchOptions { Top = 2 });

        // <snippet:indexes-rag>
        var qa = new RetrievalQa(retriever, client, new RetrievalQaOptions
        {
            EmbeddingGenerator = embedder,   // also check each sentence by meaning, not only by shared words
        });

        RagAnswer answer = await qa.InvokeAsync("How long do cats sleep?");
        foreach (RagSentence sentence in answer.Sentences)
        {
            string sources = string.Join(", ", sentence.Citations.Select(n => answer.Citations.First(c => c.Number == n).Passage.Source));
            Console.WriteLine($"{(sentence.Supported ? "✓" : "✗")} {sentence.Text} ← {sources}");
        }
        // </snippet:indexes-rag>
        return answer;
    }
}
