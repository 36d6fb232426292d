using Microsoft.Extensions.AI;

namespace Chains.Tests.Memory;

/// <summary>Builds random but well-formed conversations: system prompts, user turns, assistant replies, tool calls whose
/// results follow in one or several tool messages, English and Chinese text.</summary>
public static class RandomConversation
{
    private static readonly string[] Words =
    [
        "what", "is", "the", "weather", "in", "paris", "tokyo", "please", "remember", "my", "name", "sunny", "rain",
        "你好", "北京的天气", "是", "我", "degrees", "helpful", "unknownword", "call", "result", "42", "?", "!",
    ];

    public static List<ChatMessage> Create(Random random, int turns)
    {
        var messages = new List<ChatMessage>();
        for (var s = random.Next(0, 3); s > 0; s--)
        {
            messages.Add(new ChatMessage(ChatRole.System, Text(random, 3, 20)));
        }

        var callId = 0;
        for (var t = 0; t < turns; t++)
        {
            messages.Add(new ChatMessage(ChatRole.User, Text(random, 1, 30)) { AuthorName = random.Next(4) == 0 ? "ann" : null });
            var rounds = random.Next(0, 3);
            for (var r = 0; r < rounds; r++)
            {
                var calls = Enumerable.Range(0, random.Next(1, 4))
                    .Select(_ => new FunctionCallContent($"call{callId++}", "get_weather", new Dictionary<string, object?> { ["city"] = Text(random, 1, 3) }))
                    .ToList();
                messages.Add(new ChatMessage(ChatRole.Assistant, [.. calls]));
                if (random.Next(2) == 0)
                {
                    messages.Add(new ChatMessage(ChatRole.Tool, [.. calls.Select(c => new FunctionResultContent(c.CallId, Text(random, 1, 12)))]));
                }
                else
                {
                    messages.AddRange(calls.Select(c => new ChatMessage(ChatRole.Tool, [new FunctionResultContent(c.CallId, Text(random, 1, 12))])));
                }
            }

            if (t < turns - 1 || random.Next(3) > 0)
            {
                messages.Add(new ChatMessage(ChatRole.Assistant, Text(random, 1, 40)));
            }
        }

        return messages;
    }

    private static string Text(Random random, int min, int max)
        => string.Join(' ', Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => Words[random.Next(Words.Length)]));
}
