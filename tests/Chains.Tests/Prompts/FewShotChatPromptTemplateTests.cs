using Chains.Prompts;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Prompts;

public sealed record MathExample(string Input, string Output);

public sealed record MathQuery(string Input);

public class FewShotChatPromptTemplateTests
{
    private static readonly ChatPromptTemplate ExampleTemplate = new(ChatMessageTemplate.User("{input}"), ChatMessageTemplate.Assistant("{output}"));

    private static readonly ChatPromptTemplate Prompt = new(
        ChatMessageTemplate.System("You are a {kind} calculator."),
        ChatMessageTemplate.Placeholder("examples"),
        ChatMessageTemplate.User("{input}"));

    private static readonly MathExample[] Examples = [new("2+2", "4"), new("2+3", "5")];

    [Fact]
    public async Task FormatMessagesAsync_InsertsExampleMessagesAtPlaceholder()
    {
        var template = new FewShotChatPromptTemplate<MathExample>(Examples, ExampleTemplate, Prompt);

        var messages = await template.FormatMessagesAsync(new { kind = "wondrous", input = "3+3" }, TestContext.Current.CancellationToken);

        Assert.Equal(["You are a wondrous calculator.", "2+2", "4", "2+3", "5", "3+3"], messages.Select(m => m.Text));
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User, ChatRole.Assistant, ChatRole.User], messages.Select(m => m.Role));
        Assert.Equal(["kind", "input"], template.InputVariables);
    }

    [Fact]
    public async Task FormatMessagesAsync_InputProvidesExamplesKey_ReportsItUnknown()
    {
        var template = new FewShotChatPromptTemplate<MathExample>(Examples, ExampleTemplate, Prompt);

        var ex = await Assert.ThrowsAsync<PromptVariablesException>(async () => await template.FormatMessagesAsync(
            new Dictionary<string, object?> { ["kind"] = "k", ["input"] = "i", ["examples"] = Array.Empty<ChatMessage>() },
            TestContext.Current.CancellationToken));

        Assert.Equal(["examples"], ex.UnknownVariables);
    }

    [Fact]
    public async Task FormatMessagesAsync_MissingVariable_ThrowsBeforeSelecting()
    {
        var selector = new CountingSelector<MathExample>(Examples);
        var template = new FewShotChatPromptTemplate<MathExample>(selector, ExampleTemplate, Prompt);

        var ex = await Assert.ThrowsAsync<PromptVariablesException>(async () => await template.FormatMessagesAsync(new { input = "1+1" }, TestContext.Current.CancellationToken));

        Assert.Equal(["kind"], ex.MissingVariables);
        Assert.Empty(selector.Queries);
    }

    [Fact]
    public void Constructor_PromptWithoutPlaceholder_ThrowsNamingIt()
    {
        var prompt = new ChatPromptTemplate(ChatMessageTemplate.User("{input}"));

        var ex = Assert.Throws<ArgumentException>(() => new FewShotChatPromptTemplate<MathExample>(Examples, ExampleTemplate, prompt, "shots"));

        Assert.Contains("'shots'", ex.Message, StringComparison.Ordinal);
        Assert.Equal("examplesPlaceholder", ex.ParamName);
    }

    [Fact]
    public async Task AsRunnable_PipedIntoModel_SendsExamplesChosenBySimilarity()
    {
        var client = FakeChatClient.Replying("四");
        var generator = new FakeEmbeddingGenerator();
        var examples = new[] { new MathExample("中文加法：一加一", "二"), new MathExample("2*3", "6"), new MathExample("9-1", "8") };
        var selector = new SemanticSimilarityExampleSelector<MathExample>(examples, generator, e => e.Input, k: 1);
        var prompt = new ChatPromptTemplate(ChatMessageTemplate.Placeholder("examples"), ChatMessageTemplate.User("{input}"));
        var chain = new FewShotChatPromptTemplate<MathExample>(selector, ExampleTemplate, prompt).AsRunnable<MathQuery>().Pipe(client.AsRunnable());

        var response = await chain.InvokeAsync(new MathQuery("中文加法：二加二"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("四", response.Text);
        Assert.Equal(["中文加法：一加一", "二", "中文加法：二加二"], client.LastMessages!.Select(m => m.Text));
    }

    [Fact]
    public void AsRunnable_RecordWithUnusedMember_ThrowsAtConstruction()
    {
        var template = new FewShotChatPromptTemplate<MathExample>(Examples, ExampleTemplate, new ChatPromptTemplate(ChatMessageTemplate.Placeholder("examples"), ChatMessageTemplate.User("{input}")));

        var ex = Assert.Throws<PromptVariablesException>(() => template.AsRunnable<MathExample>());

        Assert.Equal(["Output"], ex.UnknownVariables);
    }
}
