using Chains.LLamaSharp.Tests.Support;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Tests.Inference;

/// <summary>The scheduler behind the chat client: sequence choice, prefix reuse, queueing, batching.</summary>
public sealed class InferenceEngineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Submit_TwoInterleavedConversations_EachKeepsItsOwnCachedPrefix()
    {
        using var model = TestModels.Load(TestModels.Options(sequences: 2));
        using var client = model.AsChatClient();
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 6 };
        List<ChatMessage> a = [new(ChatRole.User, "alpha alpha alpha alpha alpha alpha")];
        List<ChatMessage> b = [new(ChatRole.User, "bravo bravo bravo bravo bravo bravo")];

        a.AddRange((await client.GetResponseAsync(a, options, Ct)).Messages);
        b.AddRange((await client.GetResponseAsync(b, options, Ct)).Messages);
        a.Add(new ChatMessage(ChatRole.User, "more"));
        b.Add(new ChatMessage(ChatRole.User, "more"));
        var a2 = await client.GetResponseAsync(a, options, Ct);
        var b2 = await client.GetResponseAsync(b, options, Ct);

        // With two sequences neither conversation evicts the other: both continue from their own cache.
        Assert.True(a2.Usage!.CachedInputTokenCount > 20, $"a reused {a2.Usage.CachedInputTokenCount}");
        Assert.True(b2.Usage!.CachedInputTokenCount > 20, $"b reused {b2.Usage.CachedInputTokenCount}");
    }

    [Fact]
    public async Task Submit_OneSequenceAndInterleavedConversations_ReusesOnlyTheCommonStart()
    {
        using var model = TestModels.Load(TestModels.Options(sequences: 1));
        using var client = model.AsChatClient();
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 6 };
        List<ChatMessage> a = [new(ChatRole.User, "alpha alpha alpha alpha alpha alpha")];

        a.AddRange((await client.GetResponseAsync(a, options, Ct)).Messages);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "bravo bravo bravo bravo bravo bravo")], options, Ct);
        a.Add(new ChatMessage(ChatRole.User, "more"));
        var a2 = await client.GetResponseAsync(a, options, Ct);

        // "<|im_start|>user\n" (six tokens) is all the two conversations share.
        Assert.Equal(6, a2.Usage!.CachedInputTokenCount);
    }

    [Fact]
    public async Task Submit_MoreRequestsThanSequences_QueuesAndBatchesThem()
    {
        using var model = TestModels.Load(TestModels.Options(sequences: 3));
        using var client = model.AsChatClient();
        var grammar = GbnfGrammar.Parse("root ::= [a-z]{20}");

        var responses = await Task.WhenAll(Enumerable.Range(0, 9).Select(i =>
            client.GetResponseAsync($"q{i}", new ChatOptions { Seed = i }.WithGrammar(grammar), Ct)));
        var stats = model.GetStatistics();

        Assert.All(responses, r => Assert.Equal(20, r.Text.Length));
        Assert.Equal(responses.Sum(r => r.Usage!.OutputTokenCount), stats.GeneratedTokens);
        Assert.Equal(0, stats.QueuedRequests);
        Assert.Equal(0, stats.ActiveRequests);
    }

    [Fact]
    public async Task Submit_BatchSizeAboveTheRequestedContext_EvaluatesThePromptInChunksLlamaCppAccepts()
    {
        // llama.cpp caps the batch at the 64 tokens asked for but rounds the context itself up to 256, so a 150-token
        // prompt fits the context yet not one batch of the configured 256: a single decode would abort the process.
        using var model = TestModels.Load(new LlamaModelOptions { ContextSize = 64, MaxConcurrentRequests = 1, Threads = 1, BatchSize = 256 });
        using var client = model.AsChatClient();
        var prompt = string.Concat(Enumerable.Repeat("巴黎下雨吗？", 8));

        var response = await client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 3, Seed = 2 }, Ct);

        Assert.InRange(response.Usage!.InputTokenCount!.Value, 65, 250);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount - 1, model.GetStatistics().EvaluatedTokens);
    }

    [Fact]
    public async Task Submit_ModelDisposedWhileGenerating_FailsTheRequest()
    {
        var model = TestModels.Load();
        var client = model.AsChatClient();
        var options = new ChatOptions { MaxOutputTokens = 2000 }.WithGrammar(GbnfGrammar.Parse("root ::= [a-z]{1500}"));
        var started = new TaskCompletionSource();

        var running = Task.Run(
            async () =>
            {
                await foreach (var update in client.GetStreamingResponseAsync("go", options, Ct))
                {
                    started.TrySetResult();
                }
            },
            Ct);
        await started.Task.WaitAsync(Ct);
        model.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => running);
    }
}
