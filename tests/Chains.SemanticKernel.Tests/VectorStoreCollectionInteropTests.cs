using Chains.Agents;
using Chains.Indexes;
using Chains.Indexes.Retrievers;
using Chains.SemanticKernel.Tests.Fakes;
using Chains.Tests.Indexes.Retrievers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.SemanticKernel;

namespace Chains.SemanticKernel.Tests;

/// <summary>A Microsoft.Extensions.VectorData collection (what SK's connectors implement) as a Chains retriever, and
/// that retriever back in a kernel as a search function.</summary>
public sealed class VectorStoreCollectionInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<NotesCollection> NotesAsync()
    {
        var collection = new NotesCollection(new BagOfWordsEmbeddingGenerator());
        await collection.UpsertAsync(
            [
                new Note { Key = "train", Text = "高铁从上海到北京大约需要四个半小时。", Category = "travel" },
                new Note { Key = "flight", Text = "从上海飞北京大约需要两个小时。", Category = "travel" },
                new Note { Key = "weather", Text = "北京今天晴，上海今天下雨。", Category = "weather" },
                new Note { Key = "cooking", Text = "Braise the pork belly slowly for two hours.", Category = "food" },
            ],
            Ct);
        return collection;
    }

    private static Document ToDocument(Note note) => new(note.Key, note.Text, source: $"notes/{note.Category}");

    [Fact]
    public async Task AsRetriever_TopAndFilter_NearestMatchingRecordsAsDocuments()
    {
        var collection = await NotesAsync();
        var retriever = collection.AsRetriever(ToDocument, new VectorStoreCollectionRetrieverOptions<Note> { Top = 2, Filter = n => n.Category == "travel" });

        var documents = await retriever.InvokeAsync("上海到北京的高铁要多久", cancellationToken: Ct);

        Assert.Equal(["train", "flight"], documents.Select(d => d.Id));
        Assert.Equal("notes/travel", documents[0].Source);
        Assert.Equal(2, collection.LastTop);
        var unfiltered = await collection.AsRetriever(ToDocument, new VectorStoreCollectionRetrieverOptions<Note> { Top = 3 }).InvokeAsync("上海到北京的高铁要多久", cancellationToken: Ct);
        Assert.Contains("weather", unfiltered.Select(d => d.Id));
    }

    [Fact]
    public async Task RetrieverAsKernelFunction_KernelSearchReturnsNumberedPassages()
    {
        var collection = await NotesAsync();
        var retriever = collection.AsRetriever(ToDocument, new VectorStoreCollectionRetrieverOptions<Note> { Top = 1 });
        var kernel = Kernel.CreateBuilder().Build();
        kernel.Plugins.Add(new AITool[] { retriever.AsTool("search_notes", "Searches the travel notes.") }.AsKernelPlugin("Notes"));

        var text = await kernel.InvokeAsync<string>("Notes", "search_notes", new KernelArguments { ["query"] = "高铁要多久" }, Ct);

        Assert.Equal("[1] notes/travel (train)\n高铁从上海到北京大约需要四个半小时。", text);
        Assert.Equal(1, collection.Searches);
    }

    [Fact]
    public async Task RetrieverInKernel_AgentSearchesThroughKernelTools()
    {
        var collection = await NotesAsync();
        var kernel = Kernel.CreateBuilder().Build();
        kernel.Plugins.Add(new AITool[] { collection.AsRetriever(ToDocument, new VectorStoreCollectionRetrieverOptions<Note> { Top = 1 }).AsTool("search", "Searches the notes.") }.AsKernelPlugin("Notes"));
        var model = Scripts.CallThenEcho(Scripts.Call("c1", "Notes_search", new { query = "braise pork" }));

        var result = await new AgentExecutor(model, kernel.AsTools()).InvokeAsync("How long do I braise pork?", cancellationToken: Ct);

        Assert.Equal("tools said: [1] notes/food (cooking)\nBraise the pork belly slowly for two hours.", result.Text);
    }
}
