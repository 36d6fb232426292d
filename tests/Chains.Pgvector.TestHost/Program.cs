// Child process of the pgvector fault tests (see Chains.Pgvector.TestHost.csproj): a graph run and an indexing run that
// the tests kill with SIGKILL, then check and resume against the same PostgreSQL database.
using System.Globalization;
using System.Text.Json;
using Chains.Agents.Graph;
using Chains.Indexes;
using Chains.Indexes.Indexing;
using Chains.Pgvector;
using Chains.Pgvector.TestHost;
using Chains.Pgvector.Tests;
using Chains.Tests.Agents.Graph;
using Npgsql;

var mode = args.Length > 0 ? args[0] : string.Empty;
switch (mode)
{
    case "graph" when args.Length is 4 or 5:
    {
        await using var dataSource = NpgsqlDataSource.Create(args[1]);
        var store = dataSource.AsCheckpointStore(new PgvectorCheckpointOptions { Schema = args[2], Table = "checkpoints" });
        var thread = args[3];
        var hangAt = args.Length == 5 ? args[4] : null;
        var graph = CrashTestGraph.Build(new StateGraphOptions { CheckpointStore = store }, async (node, ct) =>
        {
            if (node == hangAt)
            {
                Console.WriteLine($"hanging in {node}");
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
        });

        var saved = await graph.GetStateAsync(thread);
        var result = saved is null || saved.Status == GraphStatus.Completed
            ? await graph.RunAsync(CrashState.Empty, thread)
            : await graph.ResumeAsync(thread);
        Console.WriteLine($"{(saved is null ? "ran" : "resumed")} {result.Status} step {result.Step}");
        Console.WriteLine("final " + JsonSerializer.Serialize(result.State, JsonSerializerOptions.Web));
        return 0;
    }

    case "index" when args.Length == 9:
    {
        var count = int.Parse(args[5], CultureInfo.InvariantCulture);
        var lines = int.Parse(args[6], CultureInfo.InvariantCulture);
        var batch = int.Parse(args[7], CultureInfo.InvariantCulture);
        var delay = TimeSpan.FromMilliseconds(int.Parse(args[8], CultureInfo.InvariantCulture));
        var builder = new NpgsqlDataSourceBuilder(args[1]);
        builder.UseVector();
        await using var dataSource = builder.Build();
        await using var store = dataSource.AsVectorStore(new PgvectorStoreOptions { Schema = args[2], Table = args[3], Dimensions = TagEmbedder.Dimensions, Index = PgvectorIndex.None });
        using var embedder = new TagEmbedder(delay);
        var indexer = new Indexer(store, embedder, new LineSplitter(), store.CreateRecordManager(), new IndexerOptions { BatchSize = batch });
        var version = args[4];
        var documents = Enumerable.Range(0, count).Select(i => new Document(
            $"doc{i}",
            string.Join('\n', Enumerable.Range(0, lines).Select(l => $"doc{i} line {l} {version} text"))));
        var result = await indexer.IndexAsync(Stream(documents), new Progress());
        Console.WriteLine($"done {result.DocumentsAdded} added, {result.DocumentsUpdated} updated, {result.DocumentsSkipped} unchanged");
        return 0;
    }

    default:
        await Console.Error.WriteLineAsync("usage: Chains.Pgvector.TestHost graph CONN SCHEMA THREAD [NODE] | index CONN SCHEMA TABLE VERSION COUNT LINES BATCH DELAY_MS");
        return 2;
}

static async IAsyncEnumerable<Document> Stream(IEnumerable<Document> documents)
{
    foreach (var document in documents)
    {
        await Task.Yield();
        yield return document;
    }
}

/// <summary>Prints progress synchronously (the Progress&lt;T&gt; class would post it to the thread pool, out of order).</summary>
internal sealed class Progress : IProgress<IndexingProgress>
{
    public void Report(IndexingProgress value) => Console.WriteLine($"progress {value.Documents} documents {value.Chunks} chunks");
}
