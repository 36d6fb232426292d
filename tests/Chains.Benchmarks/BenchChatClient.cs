using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Chains.Benchmarks;

/// <summary>The fake model both the baseline and the chain call: answers at once, streams five chunks.</summary>
public sealed class BenchChatClient : IChatClient
{
    private static readonly string[] Chunks = ["Why ", "did ", "the ", "chicken ", "cross?"];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Why did the chicken cross?")));

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var chunk in Chunks)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk);
        }

        await Task.CompletedTask;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
