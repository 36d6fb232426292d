using Chains.Prompts;
using Chains.Runnables;

namespace Chains.Tests.Prompts;

public sealed record Antonym(string Word, string Opposite);

public sealed record WordInput(string Input);

public class FewShotPromptTemplateTests
{
    private static readonly PromptTemplate ExampleTemplate = new("Word: {word}\nAntonym: {opposite}");

    private static readonly Antonym[] Examples = [new("happy", "sad"), new("tall", "short")];

    [Fact]
    public async Task FormatAsync_FixedExamples_JoinsPrefixExamplesAndSuffix()
    {
        var template = new FewShotPromptTemplate<Antonym>(Examples, ExampleTemplate, suffix: "Word: {input}\nAntonym:", prefix: "Give the antonym of every word.");

        var text = await template.FormatAsync(new WordInput("big"), TestContext.Current.CancellationToken);

        Assert.Equal("Give the antonym of every word.\n\nWord: happy\nAntonym: sad\n\nWord: tall\nAntonym: short\n\nWord: big\nAntonym:", text);
    }

    [Fact]
    public async Task FormatAsync_NoPrefixCustomSeparator_SkipsEmptyPieces()
    {
        var template = new FewShotPromptTemplate<Antonym>(Examples, new PromptTemplate("{word}->{opposite}"), suffix: "{input}->", separator: " | ");

        Assert.Equal("happy->sad | tall->short | big->", await template.FormatAsync(new { input = "big" }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task FormatAsync_ExampleTextWithBraces_InsertedVerbatim()
    {
        var template = new FewShotPromptTemplate<Antonym>([new Antonym("{open}", "}close{")], ExampleTemplate, suffix: "{input}");

        var text = await template.FormatAsync(new WordInput("x"), TestContext.Current.CancellationToken);

        Assert.Equal("Word: {open}\nAntonym: }close{\n\nx", text);
    }

    [Fact]
    public async Task FormatAsync_MissingVariable_ThrowsBeforeSelecting()
    {
        var selector = new CountingSelector<Antonym>(Examples);
        var template = new FewShotPromptTemplate<Antonym>(selector, ExampleTemplate, suffix: "{input} in {style}");

        var ex = await Assert.ThrowsAsync<PromptVariablesException>(async () => await template.FormatAsync(new Dictionary<string, object?> { ["input"] = "x" }, TestContext.Current.CancellationToken));

        Assert.Equal(["style"], ex.MissingVariables);
        Assert.Empty(selector.Queries);
    }

    [Fact]
    public async Task FormatAsync_Selector_ReceivesInputValuesAsQuery()
    {
        var selector = new CountingSelector<Antonym>();
        var template = new FewShotPromptTemplate<Antonym>(selector, ExampleTemplate, suffix: "{input} ({lang})", prefix: "Level {level}");

        var text = await template.FormatAsync(new { level = 3, input = "big", lang = "en" }, TestContext.Current.CancellationToken);

        Assert.Equal("Level 3\n\nbig (en)", text);
        Assert.Equal("3 big en", Assert.Single(selector.Queries));
    }

    [Fact]
    public void Constructor_ExampleTypeDoesNotMatchExampleTemplate_Throws()
    {
        var ex = Assert.Throws<PromptVariablesException>(() => new FewShotPromptTemplate<Question>([new Question("a", "b")], ExampleTemplate, "{input}"));

        Assert.Equal(["word", "opposite"], ex.MissingVariables);
    }

    [Fact]
    public void Constructor_MalformedSuffix_Throws()
    {
        var ex = Assert.Throws<PromptTemplateException>(() => new FewShotPromptTemplate<Antonym>(Examples, ExampleTemplate, "{input"));

        Assert.Equal("suffix", ex.ParamName);
    }

    [Fact]
    public async Task WithPartial_PrefixVariable_IsFilled()
    {
        var template = new FewShotPromptTemplate<Antonym>(Examples[..1], ExampleTemplate, suffix: "{input}", prefix: "Task: {task}").WithPartial("task", "antonyms");

        Assert.Equal(["input"], template.InputVariables);
        Assert.Equal("Task: antonyms\n\nWord: happy\nAntonym: sad\n\nnew", await template.FormatAsync(new WordInput("new"), TestContext.Current.CancellationToken));
        Assert.Equal("Task: {task}", template.Prefix);
        Assert.Equal("{input}", template.Suffix);
    }

    [Fact]
    public async Task AsRunnable_SemanticSelector_ShowsTheMostSimilarExample()
    {
        var generator = new FakeEmbeddingGenerator();
        var examples = new[] { new Antonym("happy", "sad"), new Antonym("tall", "short"), new Antonym("sunny", "gloomy") };
        var selector = new SemanticSimilarityExampleSelector<Antonym>(examples, generator, e => e.Word, k: 1);
        var prompt = new FewShotPromptTemplate<Antonym>(selector, ExampleTemplate, suffix: "Word: {input}\nAntonym:").AsRunnable<WordInput>();

        var value = await prompt.InvokeAsync(new WordInput("taller"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Word: tall\nAntonym: short\n\nWord: taller\nAntonym:", value.ToString());
        Assert.Equal("FewShotPromptTemplate", prompt.Name);
    }

    [Fact]
    public void AsRunnable_RecordMissingVariable_ThrowsAtConstruction()
    {
        var template = new FewShotPromptTemplate<Antonym>(Examples, ExampleTemplate, suffix: "{input} {extra}");

        var ex = Assert.Throws<PromptVariablesException>(() => template.AsRunnable<WordInput>());

        Assert.Equal(["extra"], ex.MissingVariables);
    }

    [Fact]
    public async Task FormatAsync_ChineseExamples_Works()
    {
        var template = new FewShotPromptTemplate<IReadOnlyDictionary<string, object?>>(
            [new Dictionary<string, object?> { ["词"] = "高", ["反义词"] = "矮" }],
            new PromptTemplate("词：{词}\n反义词：{反义词}"),
            suffix: "词：{输入}\n反义词：",
            prefix: "请给出反义词。");

        var text = await template.FormatAsync(new { 输入 = "快" }, TestContext.Current.CancellationToken);

        Assert.Equal("请给出反义词。\n\n词：高\n反义词：矮\n\n词：快\n反义词：", text);
    }
}
