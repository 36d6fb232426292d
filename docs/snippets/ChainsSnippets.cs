// The code of docs/concepts/chains.md, compiled and run by tests/Chains.Docs.Tests.
using Chains.Parsing;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Snippets;

// <snippet:chains-types>
public sealed record TextStats(int Characters, int Words);

public sealed record Translate(string Text, string Language);
// </snippet:chains-types>

/// <summary>The chains page: composition, batches, retry and fallbacks, streaming and events.</summary>
public static class ChainsSnippets
{
    /// <summary>Two lambdas piped into a typed chain.</summary>
    public static async Task<bool> PipeAsync()
    {
        // <snippet:chains-pipe>
        Runnable<string, int> length = Runnable.Lambda((string s) => s.Length);
        Runnable<int, bool> isLong = Runnable.Lambda((int n) => n > 10);

        Runnable<string, bool> chain = length.Pipe(isLong);   // compiles only when the types line up
        bool result = await chain.InvokeAsync("hello, world");
        // </snippet:chains-pipe>
        return result;
    }

    /// <summary>Parallel steps combined into a record, and a branch.</summary>
    public static async Task<(TextStats Stats, string Long, string Short)> ComposeAsync()
    {
        // <snippet:chains-compose>
        Runnable<string, int> characters = Runnable.Lambda((string s) => s.Length);
        Runnable<string, int> words = Runnable.Lambda((string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);

        // Both steps run on the same input at the same time; their outputs become one record.
        Runnable<string, TextStats> stats = Runnable.Parallel(characters, words, (c, w) => new TextStats(c, w));

        // The first branch whose condition holds runs; otherwise the default.
        Runnable<string, string> describe = Runnable
            .When((string s) => s.Length > 20, stats.Pipe(s => $"long text: {s.Words} words"))
            .Otherwise(Runnable.Lambda((string s) => $"short text: {s}"));

        TextStats counted = await stats.InvokeAsync("typed chains for .NET");
        string longText = await describe.InvokeAsync("a sentence that is clearly longer than twenty characters");
        string shortText = await describe.InvokeAsync("你好，世界");
        // </snippet:chains-compose>
        return (counted, longText, shortText);
    }

    /// <summary>A model chain run over many inputs with bounded concurrency.</summary>
    public static async Task<IReadOnlyList<string>> BatchAsync(IChatClient client)
    {
        // <snippet:chains-batch>
        Runnable<Translate, string> translate =
            new PromptTemplate<Translate>("Translate into {Language}: {Text}")
                .Pipe(client.AsRunnable())
                .Pipe(new StringOutputParser());

        IReadOnlyList<string> answers = await translate.BatchAsync(
            [new("Good morning", "中文"), new("谢谢", "English"), new("See you tomorrow", "日本語")],
            new RunOptions { MaxConcurrency = 2 });   // at most two model calls at a time; answers keep the input order

        IReadOnlyList<RunResult<string>> results = await translate.TryBatchAsync([new("Hello", "Deutsch")]);
        Console.WriteLine(results[0].IsSuccess ? results[0].Value : results[0].Error!.Message);
        // </snippet:chains-batch>
        return answers;
    }

    /// <summary>Retries on the primary model, then a fallback model.</summary>
    public static async Task<string> RetryAndFallbackAsync(IChatClient primaryClient, IChatClient backupClient)
    {
        // <snippet:chains-retry-fallback>
        Runnable<PromptValue, ChatResponse> primary = primaryClient.AsRunnable()
            .WithRetry(new RetryOptions
            {
                MaxAttempts = 3,                                   // the first attempt included
                InitialDelay = TimeSpan.FromMilliseconds(20),      // then 40 ms, with ±25 % jitter
                ShouldRetry = ex => ex is HttpRequestException or TimeoutException,
            });

        Runnable<string, string> chain = new PromptTemplate<string>("Summarise in five words: {Text}")
            .Pipe(primary.WithFallbacks(backupClient.AsRunnable()))   // the backup runs when all retries failed
            .Pipe(new StringOutputParser());

        string summary = await chain.InvokeAsync("Chains brings LangChain's programming model to .NET.");
        // </snippet:chains-retry-fallback>
        return summary;
    }

    /// <summary>Streams a chain.</summary>
    public static async Task StreamAsync(IChatClient client)
    {
        // <snippet:chains-stream>
        Runnable<Translate, string> translate =
            new PromptTemplate<Translate>("Translate into {Language}: {Text}")
                .Pipe(client.AsRunnable())
                .Pipe(new StringOutputParser());

        await foreach (string delta in translate.StreamAsync(new Translate("Streaming starts before the model finishes.", "中文")))
        {
            Console.Write(delta);   // the first words arrive while the model is still writing
        }
        // </snippet:chains-stream>
    }

    /// <summary>The events of a run: one started and one completed event per step, with parent ids.</summary>
    public static async Task<IReadOnlyList<RunEvent>> EventsAsync(IChatClient client)
    {
        // <snippet:chains-events>
        Runnable<Translate, string> translate =
            new PromptTemplate<Translate>("Translate into {Language}: {Text}")
                .Pipe(client.AsRunnable())
                .Pipe(new StringOutputParser())
                .WithConfig(tags: ["docs"], name: "translate");

        var events = new List<RunEvent>();
        await foreach (RunEvent e in translate.StreamEventsAsync(new Translate("Events", "中文")))
        {
            Console.WriteLine($"{e.Kind,-9} {e.Name,-20} parent={e.ParentRunId?.ToString("N")[..8] ?? "-"}");
            events.Add(e);
        }
        // </snippet:chains-events>
        return events;
    }
}
