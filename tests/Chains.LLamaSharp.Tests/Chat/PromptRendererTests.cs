using Chains.LLamaSharp.Chat;
using Chains.LLamaSharp.Tests.Support;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Tests.Chat;

public sealed class PromptRendererTests
{
    private static readonly List<ChatMessage> Conversation =
    [
        new(ChatRole.System, "Be brief."),
        new(ChatRole.User, "Weather in Paris?"),
        new(ChatRole.Assistant, [new TextContent("Checking."), new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
        new(ChatRole.Tool, [new FunctionResultContent("c1", "sunny")]),
        new(ChatRole.Assistant, "It is sunny."),
        new(ChatRole.User, "Thanks"),
    ];

    private static readonly string Expected =
        "<|im_start|>system\nAlways answer in English.\n\nBe brief.<|im_end|>\n" +
        "<|im_start|>user\nWeather in Paris?<|im_end|>\n" +
        "<|im_start|>assistant\nChecking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Paris\"}}\n</tool_call><|im_end|>\n" +
        "<|im_start|>tool\n<tool_response>\nsunny\n</tool_response><|im_end|>\n" +
        "<|im_start|>assistant\nIt is sunny.<|im_end|>\n" +
        "<|im_start|>user\nThanks<|im_end|>\n" +
        "<|im_start|>assistant\n";

    [Fact]
    public void Render_ModelTemplateThroughLlamaCpp_RendersEveryRole()
    {
        // llama.cpp loads first so its template engine is available.
        using var model = TestModels.Load();
        var renderer = new PromptRenderer(model.Info.ChatTemplate);

        var prompt = renderer.Render(Conversation, new ChatOptions { Instructions = "Always answer in English." }, []);

        Assert.Equal(Expected, prompt);
        Assert.False(renderer.UsesChatMlFallback);
    }

    [Fact]
    public void Render_NoTemplate_FallsBackToTheSameChatMl()
    {
        var renderer = new PromptRenderer(null);

        var prompt = renderer.Render(Conversation, new ChatOptions { Instructions = "Always answer in English." }, []);

        Assert.Equal(Expected, prompt);
        Assert.True(renderer.UsesChatMlFallback);
    }

    [Fact]
    public void Render_TemplateLlamaCppDoesNotKnow_FallsBackToChatMl()
    {
        using var model = TestModels.Load();
        var renderer = new PromptRenderer("{{ messages | my_custom_filter }}");

        var prompt = renderer.Render([new ChatMessage(ChatRole.User, "Hi")], null, []);

        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", prompt);
        Assert.True(renderer.UsesChatMlFallback);
    }

    [Fact]
    public void Render_OtherModelFamilyTemplate_UsesItsMarkup()
    {
        using var model = TestModels.Load();
        var renderer = new PromptRenderer("llama3");

        var prompt = renderer.Render([new ChatMessage(ChatRole.System, "S"), new ChatMessage(ChatRole.User, "Hi")], null, []);

        Assert.Contains("<|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|>", prompt, StringComparison.Ordinal);
        Assert.EndsWith("<|start_header_id|>assistant<|end_header_id|>\n\n", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ToolsAndJsonFormat_AddTheirInstructionsToTheSystemTurn()
    {
        var tool = new SchemaFunction("lookup", """{"type":"object","properties":{"q":{"type":"string"}}}""", _ => null);
        var renderer = new PromptRenderer(null);

        var prompt = renderer.Render(
            [new ChatMessage(ChatRole.User, "Hi")],
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(tool.JsonSchema) },
            [tool]);

        Assert.StartsWith("<|im_start|>system\n# Tools", prompt, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"lookup\"", prompt, StringComparison.Ordinal);
        Assert.Contains("Respond with a JSON value that matches this JSON schema:\n{\"type\":\"object\"", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ImageContent_ThrowsNotSupportedException()
    {
        var renderer = new PromptRenderer(null);
        var message = new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1, 2, 3 }, "image/png")]);

        var ex = Assert.Throws<NotSupportedException>(() => renderer.Render([message], null, []));

        Assert.Contains("image/png", ex.Message, StringComparison.Ordinal);
    }
}
