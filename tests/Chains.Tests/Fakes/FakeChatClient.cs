using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Fakes;

/// <summary>A hand-written chat client whose behaviour each test sets through callbacks.</summary>
public sealed class FakeChatClient : IChatClient
{
    private int _calls;

    /// <summary>Produces the response; default: echoes the last message's text.</summary>
    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>>? GetResponseAsyncCallback { get; set; }

    /// <summary>Produces streamed updates; default: splits the response text into the given chunks.</summary>
    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>? GetStreamingResponseAsyncCallback { get; set; }

    /// <summary>Metadata reported through <see cref="GetService"/>.</summary>
    public ChatClientMetadata Metadata { get; set; } = new("fake", null, "fake-model");

    /// <summary>Number of calls made so far (invoke and stream).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The messages of the last call.</summary>
    public IReadOnlyList<ChatMessage>? LastMessages { get; private set; }

    /// <summary>The options of the last call.</summary>
    public ChatOptions? LastOptions { get; private set; }

    /// <summary>Creates a client that always answers <paramref name="text"/>.</summary>
    public static FakeChatClient Replying(string text) => new()
    {
        GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { ModelId = "fake-model", FinishReason = ChatFinishReason.Stop }),
    };

    /// <summary>Creates a client that answers with these chunks when streaming (and their concatenation when invoked).</summary>
    public static FakeChatClient Streaming(params string[] chunks) => new()
    {
        GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Concat(chunks)))),
        GetStreamingResponseAsyncCallback = (_, _, ct) => Yield(chunks, ct),
    };

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        LastMessages = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        LastOptions = options;
        return GetResponseAsyncCallback is { } callback
            ? callback(messages, options, cancellationToken)
            : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, LastMessages[^1].Text)));
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        LastMessages = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        LastOptions = options;
        return GetStreamingResponseAsyncCallback is { } callback
            ? callback(messages, options, cancellationToken)
            : FromResponse(messages, options, cancellationToken);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType.IsInstanceOfType(Metadata) ? Metadata
            : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
            : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>Yields one assistant update per chunk.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> Yield(IEnumerable<string> chunks, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var chunk in chunks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk) { MessageId = "m1", ModelId = "fake-model" };
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> FromResponse(IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        Interlocked.Decrement(ref _calls);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }
}
