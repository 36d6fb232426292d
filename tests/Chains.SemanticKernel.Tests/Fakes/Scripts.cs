using System.Text.Json;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.SemanticKernel.Tests.Fakes;

/// <summary>Scripted models for agent runs: the first response calls tools, the next answers with what the tools returned.</summary>
internal static class Scripts
{
    /// <summary>A model that first asks for <paramref name="calls"/> and then answers "tools said: " followed by each
    /// tool result's text (error texts included), so a test sees exactly what reached the model.</summary>
    public static FakeChatClient CallThenEcho(params FunctionCallContent[] calls)
    {
        var client = new FakeChatClient();
        client.GetResponseAsyncCallback = (messages, _, _) =>
        {
            var list = messages.ToList();
            var results = list.Where(m => m.Role == ChatRole.Tool).SelectMany(m => m.Contents).OfType<FunctionResultContent>().ToList();
            var response = results.Count == 0
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [.. calls.Cast<AIContent>()]))
                : new ChatResponse(new ChatMessage(ChatRole.Assistant, "tools said: " + string.Join(" | ", results.Select(r => Text(r.Result)))));
            return Task.FromResult(response);
        };
        return client;
    }

    /// <summary>A tool call with arguments as a model sends them (JSON values).</summary>
    public static FunctionCallContent Call(string callId, string name, object arguments)
        => new(callId, name, JsonSerializer.SerializeToElement(arguments).Deserialize<Dictionary<string, object?>>());

    private static string Text(object? result) => result switch
    {
        null => "null",
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString()!,
        JsonElement element => element.GetRawText(),
        _ => result.ToString() ?? string.Empty,
    };
}
