using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Tests.Fakes;

/// <summary>
/// An offline stand-in for a model: each call is answered by <see cref="Respond"/> from the messages and options it was
/// sent; streaming yields the same answer in pieces of a few characters (whole text elements, so Chinese characters and
/// emoji are never split). Records what it was sent, how many calls ran, and how many overlapped.
/// </summary>
internal sealed partial class TestChatClient : IChatClient
{
    private readonly Lock _gate = new();
    private readonly List<IReadOnlyList<ChatMessage>> _sent = [];
    private readonly List<ChatOptions?> _options = [];
    private int _calls;
    private int _active;
    private int _maxActive;
    private int _failuresLeft;

    /// <summary>Initializes a client that answers with <paramref name="respond"/>.</summary>
    /// <param name="respond">Makes the answer of a call from its messages and options.</param>
    public TestChatClient(Func<IReadOnlyList<ChatMessage>, ChatOptions?, ChatResponse> respond) => Respond = respond;

    /// <summary>Gets the function that answers each call.</summary>
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, ChatResponse> Respond { get; }

    /// <summary>Gets or sets how many of the next calls fail with an <see cref="HttpRequestException"/> (a 503).</summary>
    public int FailuresLeft
    {
        get => Volatile.Read(ref _failuresLeft);
        set => Volatile.Write(ref _failuresLeft, value);
    }

    /// <summary>Gets or sets how long each call takes.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Gets the number of calls, failed ones included.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets the number of streaming calls.</summary>
    public int StreamingCalls { get; private set; }

    /// <summary>Gets the most calls that were in flight at once.</summary>
    public int MaxConcurrentCalls => Volatile.Read(ref _maxActive);

    /// <summary>Gets the messages of every call, in order.</summary>
    public IReadOnlyList<IReadOnlyList<ChatMessage>> Sent
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    /// <summary>Gets the options of every call, in order.</summary>
    public IReadOnlyList<ChatOptions?> Options
    {
        get
        {
            lock (_gate)
            {
                return [.. _options];
            }
        }
    }

    /// <summary>A model that repeats the last user message.</summary>
    public static TestChatClient Echo() => new((messages, _) => Reply(messages.Last(m => m.Role == ChatRole.User).Text));

    /// <summary>A model that always answers <paramref name="text"/>.</summary>
    public static TestChatClient Replying(string text) => new((_, _) => Reply(text));

    /// <summary>
    /// An extractive model for retrieval QA: answers with the first sentence of passage [1] of the prompt, cited as
    /// <c>[1]</c> (the way RetrievalQa's prompt numbers passages), or says it does not know when there is none.
    /// </summary>
    public static TestChatClient Extractive() => new((messages, _) =>
    {
        var prompt = messages.Last(m => m.Role == ChatRole.User).Text;
        var passage = FirstPassage().Match(prompt);
        if (!passage.Success)
        {
            return Reply("I do not know.");
        }

        var text = passage.Groups["text"].Value.Trim();
        var end = SentenceEnd().Match(text);
        var sentence = end.Success ? text[..(end.Index + end.Length)] : text;
        var cjk = sentence.Any(c => c >= '\u4e00' && c <= '\u9fff');
        return Reply(cjk ? sentence + "[1]" : sentence + " [1]");
    });

    /// <summary>Makes an assistant response.</summary>
    public static ChatResponse Reply(string text)
        => new(new ChatMessage(ChatRole.Assistant, text)) { ModelId = "test-model", FinishReason = ChatFinishReason.Stop };

    /// <summary>Makes an assistant response that calls tools.</summary>
    public static ChatResponse CallTools(params FunctionCallContent[] calls)
        => new(new ChatMessage(ChatRole.Assistant, [.. calls])) { ModelId = "test-model", FinishReason = ChatFinishReason.ToolCalls };

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var sent = Record(messages, options);
        try
        {
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, cancellationToken);
            }
            else
            {
                await Task.Yield();
            }

            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                throw new HttpRequestException("503 Service Unavailable (a failure the test asked for)", null, System.Net.HttpStatusCode.ServiceUnavailable);
            }

            return Respond(sent, options);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            StreamingCalls++;
        }

        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var message in response.Messages)
        {
            var text = message.Text;
            var rest = message.Contents.Where(c => c is not TextContent).ToList();
            foreach (var piece in Pieces(text))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { MessageId = "m1", ModelId = response.ModelId };
            }

            if (rest.Count > 0)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, rest) { MessageId = "m1", ModelId = response.ModelId };
            }
        }

        yield return new ChatResponseUpdate { FinishReason = response.FinishReason, ModelId = response.ModelId };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType.IsInstanceOfType(this) ? this
            : serviceKey is null && serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("test", null, "test-model")
            : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>Splits a text into pieces of up to three text elements.</summary>
    public static IEnumerable<string> Pieces(string text)
    {
        var elements = StringInfo.GetTextElementEnumerator(text);
        var piece = new StringBuilder();
        var count = 0;
        while (elements.MoveNext())
        {
            piece.Append(elements.GetTextElement());
            if (++count == 3)
            {
                yield return piece.ToString();
                piece.Clear();
                count = 0;
            }
        }

        if (piece.Length > 0)
        {
            yield return piece.ToString();
        }
    }

    private List<ChatMessage> Record(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var copy = messages.Select(m => new ChatMessage(m.Role, [.. m.Contents])).ToList();
        lock (_gate)
        {
            _sent.Add(copy);
            _options.Add(options);
        }

        Interlocked.Increment(ref _calls);
        var active = Interlocked.Increment(ref _active);
        int max;
        while (active > (max = Volatile.Read(ref _maxActive)) && Interlocked.CompareExchange(ref _maxActive, active, max) != max)
        {
        }

        return copy;
    }

    [GeneratedRegex(@"\[1\][^\n]*\n(?<text>.+?)(?=\n\n\[2\]|\n\nQuestion:|$)", RegexOptions.Singleline)]
    private static partial Regex FirstPassage();

    [GeneratedRegex(@"[。！？]|[.!?](?=\s|$)")]
    private static partial Regex SentenceEnd();
}
