using Chains.Prompts;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Prompts;

public sealed class PromptTemplateFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chains-prompts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("prompt.json")]
    [InlineData("prompt.yaml")]
    [InlineData("prompt.yml")]
    public void SaveThenLoadPrompt_RoundTripsFormatting(string fileName)
    {
        var path = Path.Combine(_directory, fileName);
        var original = new PromptTemplate("请用{语言}回答：{问题}\n价格 {price:F2}，{{不是变量}}\n  indented: \"quoted\"").WithPartial("price", 12.5);

        PromptTemplateFile.Save(original, path);
        var loaded = PromptTemplateFile.LoadPrompt(path);

        var input = new { 语言 = "中文", 问题 = "为什么？" };
        Assert.Equal(original.Format(input), loaded.Format(input));
        Assert.Equal(original.Template, loaded.Template);
        Assert.Equal(["语言", "问题"], loaded.InputVariables);
        Assert.Contains("语言", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chat.json")]
    [InlineData("chat.yaml")]
    public async Task SaveThenLoadChatPrompt_RoundTripsMessages(string fileName)
    {
        var path = Path.Combine(_directory, fileName);
        var original = new ChatPromptTemplate(
            ChatMessageTemplate.System("You are {persona}.\nBe brief."),
            ChatMessageTemplate.Placeholder("history", optional: true),
            ChatMessageTemplate.User("{question}"),
            ChatMessageTemplate.Assistant("Sure: "),
            ChatMessageTemplate.Placeholder("scratchpad")).WithPartial("persona", "true");
        var ct = TestContext.Current.CancellationToken;

        await PromptTemplateFile.SaveAsync(original, path, ct);
        var loaded = await PromptTemplateFile.LoadChatPromptAsync(path, cancellationToken: ct);

        var input = new Dictionary<string, object?>
        {
            ["question"] = "Why?",
            ["history"] = new[] { new ChatMessage(ChatRole.User, "hi") },
            ["scratchpad"] = Array.Empty<ChatMessage>(),
        };
        Assert.Equal(original.FormatMessages(input).Select(m => (m.Role, m.Text)), loaded.FormatMessages(input).Select(m => (m.Role, m.Text)));
        Assert.Equal(["question", "scratchpad"], loaded.InputVariables);
        Assert.Equal("true", loaded.PartialVariables["persona"]);
        Assert.True(loaded.Messages[1].IsOptional);
        Assert.False(loaded.Messages[4].IsOptional);
    }

    [Fact]
    public async Task LoadPromptAsync_LangChainJson_Loads()
    {
        var path = Write("lc.json", """
            {
              "_type": "prompt",
              "input_variables": ["adjective", "content"],
              "template": "Tell me a {adjective} joke about {content}.",
              "template_format": "f-string",
              "output_parser": null,
              "validate_template": false
            }
            """);

        var template = await PromptTemplateFile.LoadPromptAsync(path, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Tell me a funny joke about chickens.", template.Format(new { adjective = "funny", content = "chickens" }));
    }

    [Fact]
    public void LoadPrompt_YamlWithPartialsAndNoInputVariables_InfersThem()
    {
        var path = Write("p.yaml", """
            _type: prompt
            template: |
              {greeting}, {name}! Count: {n}
            partial_variables:
              greeting: Hello
              n: 3
            """);

        var template = PromptTemplateFile.LoadPrompt(path);

        Assert.Equal(["name"], template.InputVariables);
        Assert.Equal(3L, template.PartialVariables["n"]);
        Assert.Equal("Hello, Ada! Count: 3\n", template.Format(new { name = "Ada" }));
    }

    [Fact]
    public void LoadChatPrompt_UnknownRole_ThrowsNamingFileAndFieldPath()
    {
        var path = Write("bad-role.json", """
            { "_type": "chat", "messages": [ {"role": "system", "template": "x"}, {"role": "bot", "template": "{q}"} ] }
            """);

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadChatPrompt(path));

        Assert.Equal("messages[1].role", ex.Field);
        Assert.Equal(path, ex.FilePath);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'bot'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadChatPrompt_YamlMissingTemplate_ThrowsNamingFieldPath()
    {
        var path = Write("missing.yaml", """
            _type: chat
            messages:
              - placeholder: history
                optional: true
              - role: user
            """);

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadChatPrompt(path));

        Assert.Equal("messages[1].template", ex.Field);
        Assert.Contains("required", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadChatPrompt_OptionalNotBoolean_ThrowsNamingField()
    {
        var path = Write("opt.json", """{ "_type": "chat", "messages": [ {"placeholder": "h", "optional": "yes"} ] }""");

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadChatPrompt(path));

        Assert.Equal("messages[0].optional", ex.Field);
    }

    [Fact]
    public void LoadPrompt_InputVariablesMismatch_ThrowsNamingBothSides()
    {
        var path = Write("vars.json", """{ "_type": "prompt", "template": "{a} {b}", "input_variables": ["a", "c"] }""");

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadPrompt(path));

        Assert.Equal("input_variables", ex.Field);
        Assert.Contains("'c'", ex.Problem, StringComparison.Ordinal);
        Assert.Contains("'b'", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPrompt_MalformedTemplate_ThrowsNamingTemplateField()
    {
        var path = Write("malformed.json", """{ "_type": "prompt", "template": "Hello {name" }""");

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadPrompt(path));

        Assert.Equal("template", ex.Field);
        Assert.IsType<PromptTemplateException>(ex.InnerException);
        Assert.Contains("position 6", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPrompt_InvalidJson_ThrowsNamingFileAndLine()
    {
        var path = Write("broken.json", "{ \"_type\": \"prompt\",\n  \"template\": }");

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadPrompt(path));

        Assert.Null(ex.Field);
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPrompt_InvalidYaml_ThrowsNamingFile()
    {
        var path = Write("broken.yaml", "template: [unclosed\n");

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadPrompt(path));

        Assert.Contains("not valid YAML", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPrompt_YamlDuplicateKey_ThrowsNamingLine()
    {
        var path = Write("dup.yaml", "template: a\ntemplate: b\n");

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadPrompt(path));

        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("uplicate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPrompt_JsonDuplicateKey_Throws()
    {
        var path = Write("dup.json", """{ "template": "{a}", "template": "{b}" }""");

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadPrompt(path));

        Assert.Contains("duplicate", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void LoadPrompt_UnknownField_ThrowsListingKnownFields()
    {
        var path = Write("typo.json", """{ "_type": "prompt", "template": "{a}", "input_variable": ["a"] }""");

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadPrompt(path));

        Assert.Equal("input_variable", ex.Field);
        Assert.Contains("input_variables", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPrompt_ChatFile_ThrowsSuggestingLoadChatPrompt()
    {
        var path = Write("chat.json", """{ "_type": "chat", "messages": [] }""");

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadPrompt(path));

        Assert.Equal("_type", ex.Field);
        Assert.Contains(nameof(PromptTemplateFile.LoadChatPrompt), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPrompt_PartialForUnknownVariable_ThrowsNamingIt()
    {
        var path = Write("partial.json", """{ "template": "{a}", "partial_variables": { "b": 1 } }""");

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadPrompt(path));

        Assert.Equal("partial_variables.b", ex.Field);
    }

    [Fact]
    public void LoadPrompt_TemplateNotString_ThrowsNamingType()
    {
        var path = Write("number.json", """{ "_type": "prompt", "template": 42 }""");

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadPrompt(path));

        Assert.Equal("template", ex.Field);
        Assert.Contains("a number", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPrompt_UnsupportedFormat_ThrowsNamingIt()
    {
        var path = Write("typo.json", """{ "template": "{a}", "template_format": "jinja2" }""");

        var ex = Assert.Throws<PromptFileException>(() => PromptTemplateFile.LoadPrompt(path));

        Assert.Equal("template_format", ex.Field);
    }

    [Fact]
    public void LoadPrompt_UnsupportedExtension_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => PromptTemplateFile.LoadPrompt(Path.Combine(_directory, "prompt.txt")));

        Assert.Contains(".txt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_FactoryPartial_ThrowsNamingVariable()
    {
        var template = new PromptTemplate("{today}").WithPartial("today", () => "now");

        var ex = Assert.Throws<ArgumentException>(() => PromptTemplateFile.Save(template, Path.Combine(_directory, "f.json")));

        Assert.Contains("'today'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_YamlStringThatLooksBoolean_RoundTripsAsString()
    {
        var path = Path.Combine(_directory, "bool.yaml");
        PromptTemplateFile.Save(new PromptTemplate("{flag} {n}").WithPartial("flag", "true").WithPartial("n", 7), path);

        var loaded = PromptTemplateFile.LoadPrompt(path);

        Assert.Equal("true", loaded.PartialVariables["flag"]);
        Assert.Equal(7L, loaded.PartialVariables["n"]);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
