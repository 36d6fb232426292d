using System.Globalization;
using Chains.Prompts;

namespace Chains.Tests.Prompts;

public sealed record Question(string Language, string Text);

public sealed record Offer(string Product, decimal Price, DateTime When);

public sealed record ChatTopic(string ChatTopicName);

public class PromptTemplateTests
{
    [Fact]
    public void Format_Record_BindsPropertiesIgnoringCase()
    {
        var template = new PromptTemplate("Answer in {language}: {text}");

        var text = template.Format(new Question("French", "Why is the sky blue?"));

        Assert.Equal("Answer in French: Why is the sky blue?", text);
    }

    [Fact]
    public void Format_Dictionary_BindsKeys()
    {
        var template = new PromptTemplate("{greeting}, {name}!");

        var text = template.Format(new Dictionary<string, object?> { ["greeting"] = "Hello", ["name"] = "Ada" });

        Assert.Equal("Hello, Ada!", text);
    }

    [Fact]
    public void Format_TypedDictionaryValues_BindsKeys()
    {
        var template = new PromptTemplate("{a} + {b}");

        var text = template.Format(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 });

        Assert.Equal("1 + 2", text);
    }

    [Fact]
    public void Format_AnonymousObject_BindsProperties()
    {
        var template = new PromptTemplate("{subject} is {adjective}");

        Assert.Equal("Rust is fast", template.Format(new { subject = "Rust", adjective = "fast" }));
    }

    [Fact]
    public void Format_ObjectTypedInput_BindsRuntimeType()
    {
        var template = new PromptTemplate("{language}/{text}");

        Assert.Equal("de/Hallo", template.Format<object>(new Question("de", "Hallo")));
        Assert.Equal("en/Hi", template.Format<object>(new Dictionary<string, object?> { ["language"] = "en", ["text"] = "Hi" }));
    }

    [Fact]
    public void Format_SnakeCaseVariable_BindsPascalCaseProperty()
    {
        var template = new PromptTemplate("Talk about {chat_topic_name}");

        Assert.Equal("Talk about cats", template.Format(new ChatTopic("cats")));
    }

    [Fact]
    public void Format_EscapedBraces_WritesLiteralBraces()
    {
        var template = new PromptTemplate("Reply as JSON {{\"answer\": \"{answer}\"}}");

        Assert.Equal("Reply as JSON {\"answer\": \"42\"}", template.Format(new { answer = 42 }));
        Assert.Equal(["answer"], template.InputVariables);
    }

    [Fact]
    public void Format_FormatSpecifiers_UseInvariantCultureByDefault()
    {
        var template = new PromptTemplate("{product} costs {price:F2} from {when:yyyy-MM-dd} ({price:N1})");

        var text = template.Format(new Offer("Tea", 1234.5m, new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc)));

        Assert.Equal("Tea costs 1234.50 from 2024-03-01 (1,234.5)", text);
    }

    [Fact]
    public void Format_CultureOption_FormatsWithThatCulture()
    {
        var options = new PromptTemplateOptions { Culture = CultureInfo.GetCultureInfo("de-DE") };
        var template = new PromptTemplate("{price:N2} / {plain}", options);

        Assert.Equal("1.234,50 / 0,5", template.Format(new { price = 1234.5m, plain = 0.5 }));
    }

    [Fact]
    public void Format_NullValue_FormatsAsEmpty()
    {
        var template = new PromptTemplate("[{value}]");

        Assert.Equal("[]", template.Format(new Dictionary<string, object?> { ["value"] = null }));
    }

    [Fact]
    public void Format_ConstantTemplate_ReturnsUnescapedText()
    {
        var template = new PromptTemplate("No {{variables}} here");

        Assert.Empty(template.InputVariables);
        Assert.Equal("No {variables} here", template.Format(new Dictionary<string, object?>()));
    }

    [Fact]
    public void Format_ChineseTemplateAndValues_Works()
    {
        var template = new PromptTemplate("请用{语言}回答：{问题}");

        Assert.Equal(["语言", "问题"], template.InputVariables);
        Assert.Equal("请用中文回答：天空为什么是蓝色的？", template.Format(new { 语言 = "中文", 问题 = "天空为什么是蓝色的？" }));
        Assert.Equal("请用英文回答：你好", template.Format(new Dictionary<string, object?> { ["语言"] = "英文", ["问题"] = "你好" }));
    }

    [Fact]
    public void Format_SupplementaryPlaneVariableName_Works()
    {
        var template = new PromptTemplate("{𠀀名}!");

        Assert.Equal("值!", template.Format(new Dictionary<string, string> { ["𠀀名"] = "值" }));
    }

    [Fact]
    public void Format_ScalarInput_FillsTheOnlyVariable()
    {
        var template = new PromptTemplate("Tell me a joke about {topic}");

        Assert.Equal("Tell me a joke about cats", template.Format("cats"));
        Assert.Equal("Tell me a joke about 42", template.Format(42));
    }

    [Fact]
    public void Format_ScalarInputWithTwoVariables_ThrowsNamingThem()
    {
        var template = new PromptTemplate("{a} {b}");

        var ex = Assert.Throws<ArgumentException>(() => template.Format("x"));

        Assert.Contains("a, b", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_NullInput_ThrowsArgumentNull()
    {
        var template = new PromptTemplate("{language} {text}");

        Assert.Throws<ArgumentNullException>(() => template.Format<Question?>(null));
    }

    [Fact]
    public void Format_MissingAndUnknownKeys_ThrowsOneExceptionNamingAll()
    {
        var template = new PromptTemplate("{a} {b} {c}");

        var ex = Assert.Throws<PromptVariablesException>(() => template.Format(new Dictionary<string, object?> { ["a"] = 1, ["x"] = 2, ["y"] = 3 }));

        Assert.Equal(["b", "c"], ex.MissingVariables);
        Assert.Equal(["x", "y"], ex.UnknownVariables.Order());
        Assert.Contains("'b', 'c'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'x'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_RecordWithUnusedProperty_ThrowsUnlessAllowed()
    {
        var strict = new PromptTemplate("Say {text}");
        var lenient = new PromptTemplate("Say {text}", new PromptTemplateOptions { AllowUnusedInputs = true });

        var ex = Assert.Throws<PromptVariablesException>(() => strict.Format(new Question("en", "hi")));

        Assert.Empty(ex.MissingVariables);
        Assert.Equal(["Language"], ex.UnknownVariables);
        Assert.Contains("Question", ex.Message, StringComparison.Ordinal);
        Assert.Equal("Say hi", lenient.Format(new Question("en", "hi")));
    }

    [Fact]
    public void Format_DictionaryWithUnusedKey_AllowedWhenOptionSet()
    {
        var template = new PromptTemplate("{a}", new PromptTemplateOptions { AllowUnusedInputs = true });

        Assert.Equal("1", template.Format(new Dictionary<string, object?> { ["a"] = 1, ["extra"] = 2 }));
    }

    [Theory]
    [InlineData("Hello {name", 6, "never closed")]
    [InlineData("Hello {a {b}", 6, "never closed")]
    [InlineData("Hello name}", 10, "single '}'")]
    [InlineData("Hi {}", 3, "no name")]
    [InlineData("Hi { name }", 3, "not a valid variable name")]
    [InlineData("Hi {user-name}", 3, "not a valid variable name")]
    [InlineData("Hi {1st}", 3, "not a valid variable name")]
    [InlineData("Hi {x:}", 3, "empty format")]
    public void Constructor_MalformedTemplate_ThrowsNamingPosition(string text, int position, string problem)
    {
        var ex = Assert.Throws<PromptTemplateException>(() => new PromptTemplate(text));

        Assert.Equal(position, ex.Position);
        Assert.Contains($"position {position}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.Equal("template", ex.ParamName);
    }

    [Fact]
    public void Constructor_MalformedSecondLine_ReportsLineAndColumn()
    {
        var ex = Assert.Throws<PromptTemplateException>(() => new PromptTemplate("line one\nline {two"));

        Assert.Contains("line 2, column 6", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InputVariables_RepeatedVariable_ListedOnceInOrderOfFirstUse()
    {
        var template = new PromptTemplate("{b} {a} {b:D3}");

        Assert.Equal(["b", "a"], template.InputVariables);
        Assert.Equal("7 x 007", template.Format(new { a = "x", b = 7 }));
    }

    [Fact]
    public void WithPartial_Value_FillsVariableAndLeavesOriginalUnchanged()
    {
        var template = new PromptTemplate("{greeting}, {name}");

        var partial = template.WithPartial("greeting", "Bonjour");

        Assert.Equal(["name"], partial.InputVariables);
        Assert.Equal("Bonjour", partial.PartialVariables["greeting"]);
        Assert.Equal("Bonjour, Ada", partial.Format(new { name = "Ada" }));
        Assert.Equal(["greeting", "name"], template.InputVariables);
        Assert.Throws<PromptVariablesException>(() => template.Format(new { name = "Ada" }));
    }

    [Fact]
    public void WithPartial_Factory_EvaluatedOncePerFormat()
    {
        var calls = 0;
        var template = new PromptTemplate("{n} and again {n}: {x}").WithPartial("n", () => ++calls);

        Assert.Equal("1 and again 1: a", template.Format(new { x = "a" }));
        Assert.Equal("2 and again 2: b", template.Format(new { x = "b" }));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Format_InputProvidesPartialVariable_InputWins()
    {
        var template = new PromptTemplate("{greeting}, {name}").WithPartial("greeting", "Hello");

        Assert.Equal("Hi, Bob", template.Format(new { greeting = "Hi", name = "Bob" }));
    }

    [Fact]
    public void WithPartial_UnknownVariable_ThrowsListingVariables()
    {
        var template = new PromptTemplate("{a} {b}");

        var ex = Assert.Throws<ArgumentException>(() => template.WithPartial("c", 1));

        Assert.Contains("'c'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("a, b", ex.Message, StringComparison.Ordinal);
        Assert.Equal("name", ex.ParamName);
    }

    [Fact]
    public void Format_ConcurrentCallsOnOneTemplate_ProduceIndependentResults()
    {
        var template = new PromptTemplate("#{i}: {language} says {text}").WithPartial("i", () => "n");
        var results = new string[2000];

        Parallel.For(0, results.Length, i => results[i] = template.Format(new { language = $"L{i}", text = $"T{i}", i }));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal($"#{i}: L{i} says T{i}", results[i]);
        }
    }

    [Fact]
    public void Format_RecordWithTwoVariables_AllocatesOnlyTheResultString()
    {
        var runnable = new PromptTemplate("Answer in {language}: {text}").AsRunnable<Question>();
        var input = new Question("French", "Why is the sky blue?");
        var expected = runnable.Format(input);
        for (var i = 0; i < 100; i++)
        {
            _ = runnable.Format(input);
        }

        const int Iterations = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Iterations; i++)
        {
            _ = runnable.Format(input);
        }

        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / Iterations;
        var stringSize = 22 + (2 * expected.Length) + 8; // object header, length, chars, padding.
        Assert.True(perCall <= stringSize, $"Formatting allocated {perCall} bytes per call; the result string alone is about {stringSize}.");
    }

    [Fact]
    public void ToString_ReturnsTemplateText()
        => Assert.Equal("Hi {name}", new PromptTemplate("Hi {name}").ToString());

    [Fact]
    public void Constructor_NullTemplate_ThrowsArgumentNull()
        => Assert.Throws<ArgumentNullException>(() => new PromptTemplate(null!));
}
