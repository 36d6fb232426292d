using Chains.Docs.Snippets;
using Chains.Memory;
using Chains.Docs.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Tests.Snippets;

[Collection(MiniLmCollection.Name)]
public sealed class ZhQuickstartTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("chains-docs-zh-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void CreateClient_BuildsAClientForTheLocalEndpoint()
    {
        using var client = ZhQuickstart.CreateClient();

        var metadata = client.GetService<ChatClientMetadata>();
        Assert.Equal("qwen2.5:7b", metadata!.DefaultModelId);
        Assert.Equal(new Uri("http://localhost:11434/v1"), metadata.ProviderUri);
    }

    [Fact]
    public async Task FirstChain_ChineseVariableNamesFillTheChinesePrompt()
    {
        var model = TestChatClient.Echo();

        var text = await ZhQuickstart.FirstChainAsync(model);

        Assert.Equal("把下面这句话翻译成英文，只输出译文：今天天气很好。", text);
    }

    [Fact]
    public async Task Stream_PrintsWholeCharacters()
    {
        var model = TestChatClient.Echo();

        await ZhQuickstart.StreamAsync(model);

        Assert.Equal(1, model.StreamingCalls);
        Assert.Equal("把下面这句话翻译成日文，只输出译文：流式输出让用户更早看到回答。", Output.Current);
    }

    [Fact]
    public async Task AskHandbook_HybridRetrievalFindsTheRightFileAndTheAnswerIsCited()
    {
        var (found, answer) = await ZhQuickstart.AskHandbookAsync(TestChatClient.Extractive(), _folder.FullName);

        Assert.Equal("年假.txt", found[0].Source);
        Assert.Contains("顺延", found[0].Content, StringComparison.Ordinal);
        Assert.Equal("报销.txt", answer.Passages[0].Source);
        Assert.Equal("报销.txt", Assert.Single(answer.Citations).Passage.Source);
        Assert.True(answer.IsFullySupported, string.Join(" | ", answer.Sentences));
        Assert.Contains("每句话都有出处", Output.Current);
    }

    [Fact]
    public async Task Conversation_SecondQuestionSeesTheFirstTurnAndTheSessionFileKeepsBoth()
    {
        var model = TestChatClient.Echo();

        var stored = await ZhQuickstart.ConversationAsync(model, _folder.FullName);

        Assert.Equal(["我下周去杭州出差。", "我下周去杭州出差。", "我刚才说要去哪里？", "我刚才说要去哪里？"], stored.Select(m => m.Text));
        var second = model.Sent[1];
        Assert.Equal(ChatRole.System, second[0].Role);
        Assert.Equal("我下周去杭州出差。", second[1].Text);
        var reopened = await new FileChatHistoryStore(Path.Combine(_folder.FullName, "对话记录")).LoadAsync("小王", TestContext.Current.CancellationToken);
        Assert.Equal(stored.Select(m => (m.Role, m.Text)), reopened.Select(m => (m.Role, m.Text)));
    }
}
