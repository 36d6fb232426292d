using Chains.Docs.Snippets;
using Chains.Docs.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Tests.Snippets;

public sealed class PromptsSnippetsTests
{
    [Fact]
    public async Task Template_FormatsRecordsAndChineseVariableNames()
    {
        var (prompt, chinese) = await PromptsSnippets.TemplateAsync();

        Assert.Equal("Answer in 中文: What is RAG?", Assert.Single(prompt.Messages).Text);
        Assert.Equal("请用中文回答：什么是检索增强生成？", chinese);
    }

    [Fact]
    public async Task Chat_SendsSystemThenHistoryThenTheQuestion()
    {
        var model = TestChatClient.Echo();

        var reply = await PromptsSnippets.ChatHistoryAsync(model);

        Assert.Equal("我叫什么名字？", reply);
        var sent = Assert.Single(model.Sent);
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User], sent.Select(m => m.Role));
        Assert.Equal("You are a helpful assistant. Answer in 中文.", sent[0].Text);
        Assert.Equal("我叫李雷。", sent[1].Text);
    }

    [Fact]
    public async Task Structured_SendsTheSchemaAndParsesTheReply()
    {
        const string Json = """
            Here you are:
            ```json
            {"sentiment": "mixed", "confidence": 0.8, "reasons": ["饺子很好吃", "等了一个小时"]}
            ```
            """;
        var model = TestChatClient.Replying(Json);

        var verdict = await PromptsSnippets.StructuredAsync(model);

        Assert.Equal(Sentiment.Mixed, verdict.Sentiment);
        Assert.Equal(0.8, verdict.Confidence);
        Assert.Equal(["饺子很好吃", "等了一个小时"], verdict.Reasons);
        var format = Assert.IsType<ChatResponseFormatJson>(Assert.Single(model.Options)!.ResponseFormat);
        Assert.Contains("\"reasons\"", format.Schema!.Value.GetRawText(), StringComparison.Ordinal);
        var prompt = Assert.Single(model.Sent)[^1].Text;
        Assert.Contains("JSON schema", prompt, StringComparison.Ordinal);
        Assert.EndsWith("Review: 饺子很好吃，但是等了一个小时。", prompt, StringComparison.Ordinal);
        Assert.Contains("Mixed (80", Output.Current);
    }
}
