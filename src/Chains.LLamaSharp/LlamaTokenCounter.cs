using Chains.LLamaSharp.Chat;
using Chains.Memory;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp;

/// <summary>Counts tokens exactly as the loaded model sees them: its own vocabulary, its chat template's framing of a
/// message, and the tool instructions the chat client adds to the system prompt.</summary>
internal sealed class LlamaTokenCounter(LlamaModel model, string? template) : ITokenCounter
{
    private readonly PromptRenderer _renderer = new(template);

    public int CountTokens(string text) => model.CountTokens(text);

    public int CountTokens(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var turns = PromptRenderer.BuildTurns([message], null, []);
        return turns.Count == 0 ? 0 : model.TokenizePrompt(_renderer.RenderTurns(turns, addAssistant: false), addBos: false).Length;
    }

    public int CountTokens(IEnumerable<AITool> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var functions = tools.OfType<AIFunctionDeclaration>().ToList();
        return functions.Count == 0 ? 0 : model.CountTokens("\n\n" + ToolCalls.Instructions(functions));
    }
}
