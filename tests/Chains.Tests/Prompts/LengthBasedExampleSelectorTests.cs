using Chains.Prompts;

namespace Chains.Tests.Prompts;

public class LengthBasedExampleSelectorTests
{
    private static readonly PromptTemplate ExampleTemplate = new("{word}:{opposite}");

    private static readonly Antonym[] Examples = [new("happy", "sad"), new("tall", "short"), new("up", "down")];

    [Fact]
    public async Task SelectExamplesAsync_CharacterBudget_StopsAtFirstExampleThatDoesNotFit()
    {
        // Lengths: "happy:sad" 9, "tall:short" 10, "up:down" 7.
        var selector = new LengthBasedExampleSelector<Antonym>(Examples, ExampleTemplate, maxLength: 25);

        var selected = await selector.SelectExamplesAsync("big", TestContext.Current.CancellationToken);

        Assert.Equal(["happy", "tall"], selected.Select(e => e.Word));
    }

    [Fact]
    public async Task SelectExamplesAsync_LongQuery_SelectsFewer()
    {
        var selector = new LengthBasedExampleSelector<Antonym>(Examples, ExampleTemplate, maxLength: 25);

        var selected = await selector.SelectExamplesAsync(new string('x', 10), TestContext.Current.CancellationToken);

        Assert.Equal(["happy"], selected.Select(e => e.Word));
    }

    [Fact]
    public async Task SelectExamplesAsync_TokenLengthFunction_UsesIt()
    {
        static int Words(string text) => text.Split([' ', ':'], StringSplitOptions.RemoveEmptyEntries).Length;
        var selector = new LengthBasedExampleSelector<Antonym>(Examples, ExampleTemplate, maxLength: 6, Words);

        var selected = await selector.SelectExamplesAsync("one word", TestContext.Current.CancellationToken);

        // Budget 6 - 2 (query) = 4; each example is 2 words.
        Assert.Equal(["happy", "tall"], selected.Select(e => e.Word));
    }

    [Fact]
    public async Task SelectExamplesAsync_ChineseCharacters_CountedAsCharacters()
    {
        var selector = new LengthBasedExampleSelector<IReadOnlyDictionary<string, object?>>(
            [new Dictionary<string, object?> { ["word"] = "高", ["opposite"] = "矮" }, new Dictionary<string, object?> { ["word"] = "快乐", ["opposite"] = "悲伤" }],
            ExampleTemplate,
            maxLength: 6);

        var selected = await selector.SelectExamplesAsync("快", TestContext.Current.CancellationToken);

        Assert.Equal("高", Assert.Single(selected)["word"]);
    }

    [Fact]
    public void Constructor_NegativeBudget_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new LengthBasedExampleSelector<Antonym>(Examples, ExampleTemplate, -1));

    [Fact]
    public void Constructor_ExamplesDoNotMatchTemplate_Throws()
        => Assert.Throws<PromptVariablesException>(() => new LengthBasedExampleSelector<Question>([new Question("a", "b")], ExampleTemplate, 10));
}
