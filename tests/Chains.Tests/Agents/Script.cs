using System.Runtime.CompilerServices;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Agents;

/// <summary>Builds scripted <see cref="FakeChatClient"/>s for agent tests: turn n answers with the n-th response, and
/// every turn's messages are kept as they were sent.</summary>
internal sealed class Script
{
    private readonly Func<int, IReadOnlyList<ChatMessage>, CancellationToken, Task<ChatResponse>> _turn;
    private readonly List<IReadOnlyList<ChatMessage>> _sent = [];
    private readonly List<ChatOptions?> _options = [];
    private int _turns;

    private Script(Func<int, IReadOnlyList<ChatMessage>, CancellationToken, Task<ChatResponse>> turn)
    {
        _turn = turn;
        Client = new FakeChatClient
        {
            GetResponseAsyncCallback = (messages, options, ct) => Next(messages, options, ct),
            GetStreamingResponseAsyncCallback = (messages, options, ct) => Stream(messages, options, ct),
        };
    }

    public FakeChatClient Client { get; }

    /// <summary>Gets the messages of each turn, copied when the turn was made.</summary>
    public IReadOnlyList<IReadOnlyList<ChatMessage>> Sent => _sent;

    /// <summary>Gets the options of each turn.</summary>
    public IReadOnlyList<ChatOptions?> Options => _options;

    public int Turns => Volatile.Read(ref _turns);

    /// <summary>Answers turn n with <paramref name="responses"/>[n-1] (the last one repeats).</summary>
    public static Script Of(params ChatResponse[] responses)
        => new((turn, _, _) => Task.FromResult(responses[Math.Min(turn, responses.Length) - 1]));

    /// <summary>Answers each turn with a function of the turn number and the messages sent.</summary>
    public static Script Of(Func<int, IReadOnlyList<ChatMessage>, ChatResponse> turn)
        => new((n, messages, _) => Task.FromResult(turn(n, messages)));

    /// <summary>Answers each turn asynchronously (to block, advance a clock, observe cancellation...).</summary>
    public static Script OfAsync(Func<int, IReadOnlyList<ChatMessage>, CancellationToken, Task<ChatResponse>> turn) => new(turn);

    public static ChatResponse Calls(params FunctionCallContent[] calls)
        => new(new ChatMessage(ChatRole.Assistant, [.. calls])) { FinishReason = ChatFinishReason.ToolCalls };

    public static ChatResponse Calls(UsageDetails usage, params FunctionCallContent[] calls)
        => new(new ChatMessage(ChatRole.Assistant, [.. calls])) { FinishReason = ChatFinishReason.ToolCalls, Usage = usage };

    public static ChatResponse Text(string text, UsageDetails? usage = null)
        => new(new ChatMessage(ChatRole.Assistant, text)) { FinishReason = ChatFinishReason.Stop, Usage = usage };

    public static FunctionCallContent Call(string id, string name, params (string Name, object? Value)[] arguments)
        => new(id, name, arguments.ToDictionary(a => a.Name, a => a.Value));

    /// <summary>The function results of the last message sent in a turn.</summary>
    public static IReadOnlyList<FunctionResultContent> Results(IReadOnlyList<ChatMessage> sent)
        => [.. sent[^1].Contents.OfType<FunctionResultContent>()];

    private async Task<ChatResponse> Next(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var copy = messages.Select(m => new ChatMessage(m.Role, [.. m.Contents]) { AdditionalProperties = m.AdditionalProperties }).ToList();
        int turn;
        lock (_sent)
        {
            _sent.Add(copy);
            _options.Add(options);
            turn = ++_turns;
        }

        return await _turn(turn, copy, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> Stream(IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = await Next(messages, options, cancellationToken);
        foreach (var message in response.Messages)
        {
            // Text streams word by word; other contents arrive whole.
            foreach (var content in message.Contents)
            {
                if (content is TextContent text)
                {
                    foreach (var word in SplitWords(text.Text))
                    {
                        await Task.Yield();
                        yield return new ChatResponseUpdate(ChatRole.Assistant, word) { MessageId = message.MessageId ?? "m" };
                    }
                }
                else
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, [content]) { MessageId = message.MessageId ?? "m" };
                }
            }
        }

        if (response.Usage is { } usage)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(usage)]);
        }

        yield return new ChatResponseUpdate { FinishReason = response.FinishReason, ConversationId = response.ConversationId };
    }

    private static IEnumerable<string> SplitWords(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == ' ')
            {
                yield return text[start..i];
                start = i;
            }
        }
    }
}
