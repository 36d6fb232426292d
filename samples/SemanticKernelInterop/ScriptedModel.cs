using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace SemanticKernelInterop;

/// <summary>
/// A deterministic stand-in for a chat model, used when no endpoint is configured: offered a weather tool, it first asks
/// for the weather of the city named in the question, then answers with the tool's result; asked without tools, it
/// answers with the last user message it was sent, so the prompt a chain built can be seen.
/// </summary>
internal sealed class ScriptedModel : IChatClient
{
    private static readonly string[] Cities = ["上海", "北京", "巴黎", "Paris", "Shanghai", "Beijing"];

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var toolResult = list.LastOrDefault(m => m.Role == ChatRole.Tool)?.Contents.OfType<FunctionResultContent>().FirstOrDefault();
        var question = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        var weatherTool = options?.Tools?.FirstOrDefault(t => t.Name.EndsWith("get_weather", StringComparison.Ordinal));
        ChatMessage answer;
        if (weatherTool is not null && toolResult is null)
        {
            var city = Cities.FirstOrDefault(c => question.Contains(c, StringComparison.OrdinalIgnoreCase)) ?? "上海";
            answer = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", weatherTool.Name, new Dictionary<string, object?> { ["city"] = city })]);
        }
        else if (toolResult is not null)
        {
            answer = new ChatMessage(ChatRole.Assistant, $"(scripted) The weather tool says: {toolResult.Result}");
        }
        else
        {
            answer = new ChatMessage(ChatRole.Assistant, $"(scripted) {question}");
        }

        return Task.FromResult(new ChatResponse(answer) { ModelId = "scripted", FinishReason = answer.Contents.OfType<FunctionCallContent>().Any() ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop });
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
