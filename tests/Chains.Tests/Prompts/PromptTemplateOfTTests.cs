using Chains.Prompts;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Prompts;

public readonly record struct Measurement(string Name, int Value);

public class PromptTemplateOfTTests
{
    [Fact]
    public async Task InvokeAsync_Record_ReturnsTextPrompt()
    {
        var prompt = PromptTemplate.For<Question>("Answer in {language}: {text}");

        var value = await prompt.InvokeAsync(new Question("German", "Hi"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(value.IsText);
        Assert.Equal("Answer in German: Hi", value.ToString());
        Assert.Equal("Answer in German: Hi", Assert.Single(value.Messages).Text);
    }

    [Fact]
    public void Constructor_RecordMissingAndExtraMembers_ThrowsAtConstruction()
    {
        var ex = Assert.Throws<PromptVariablesException>(() => new PromptTemplate<Question>("{text} in {tone} and {style}"));

        Assert.Equal(["tone", "style"], ex.MissingVariables);
        Assert.Equal(["Language"], ex.UnknownVariables);
    }

    [Fact]
    public void Constructor_MissingVariableCoveredByPartial_Succeeds()
    {
        var template = new PromptTemplate("{text} in a {tone} tone", new PromptTemplateOptions { AllowUnusedInputs = true }).WithPartial("tone", "friendly");

        var prompt = template.AsRunnable<Question>();

        Assert.Equal("Hi in a friendly tone", prompt.Format(new Question("en", "Hi")));
        Assert.Same(template, prompt.Template);
    }

    [Fact]
    public void Format_RecordStructWithIntProperty_Formats()
    {
        var prompt = new PromptTemplate<Measurement>("{name} = {value:D4}");

        Assert.Equal("depth = 0042", prompt.Format(new Measurement("depth", 42)));
    }

    [Fact]
    public async Task InvokeAsync_DictionaryMissingKey_FailsBeforeTheModelIsCalled()
    {
        var client = FakeChatClient.Replying("never");
        var chain = PromptTemplate.For<IReadOnlyDictionary<string, object?>>("{a} {b}").Pipe(client.AsRunnable());

        var ex = await Assert.ThrowsAsync<PromptVariablesException>(async () =>
            await chain.InvokeAsync(new Dictionary<string, object?> { ["a"] = 1, ["z"] = 2 }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(["b"], ex.MissingVariables);
        Assert.Equal(["z"], ex.UnknownVariables);
        Assert.Equal(0, client.Calls);
    }

    [Fact]
    public async Task InvokeAsync_PipedIntoModel_SendsPromptAsUserMessage()
    {
        var client = FakeChatClient.Replying("Bonjour");
        var chain = PromptTemplate.For<Question>("Translate to {language}: {text}").Pipe(client.AsRunnable());

        var response = await chain.InvokeAsync(new Question("French", "Hello"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Bonjour", response.Text);
        var sent = Assert.Single(client.LastMessages!);
        Assert.Equal(ChatRole.User, sent.Role);
        Assert.Equal("Translate to French: Hello", sent.Text);
    }

    [Fact]
    public async Task InvokeAsync_WithEventSink_ReportsPromptStep()
    {
        var sink = new CollectingSink();
        var prompt = PromptTemplate.For<string>("Joke about {topic}");

        await prompt.InvokeAsync("cats", new RunOptions { EventSink = sink }, TestContext.Current.CancellationToken);

        var started = Assert.IsType<RunStartedEvent>(sink.Events[0]);
        Assert.Equal("PromptTemplate", started.Name);
        Assert.Equal(StepKinds.Prompt, started.Info.StepKind);
        var completed = Assert.IsType<RunCompletedEvent>(sink.Events[^1]);
        Assert.Equal("Joke about cats", completed.Output?.ToString());
    }

    [Fact]
    public async Task StreamAsync_Record_YieldsOneChunk()
    {
        var prompt = PromptTemplate.For<Question>("{language}:{text}");

        var chunks = new List<PromptValue>();
        await foreach (var chunk in prompt.StreamAsync(new Question("en", "x"), cancellationToken: TestContext.Current.CancellationToken))
        {
            chunks.Add(chunk);
        }

        Assert.Equal("en:x", Assert.Single(chunks).ToString());
    }

    [Fact]
    public async Task BatchAsync_ManyInputs_FormatsEachInOrder()
    {
        var prompt = PromptTemplate.For<int>("#{n:D2}");

        var outputs = await prompt.BatchAsync(Enumerable.Range(0, 50).ToArray(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"#{i:D2}"), outputs.Select(o => o.ToString()));
    }

    [Fact]
    public async Task InvokeAsync_ObjectInputMissingVariable_ReturnsFaultedTask()
    {
        var prompt = PromptTemplate.For<object>("{a}");

        var task = prompt.InvokeAsync(new { b = 1 }, cancellationToken: TestContext.Current.CancellationToken);

        var ex = await Assert.ThrowsAsync<PromptVariablesException>(async () => await task);
        Assert.Equal(["a"], ex.MissingVariables);
        Assert.Equal(["b"], ex.UnknownVariables);
    }

    [Fact]
    public async Task InvokeAsync_ConcurrentInputs_AreIndependent()
    {
        var prompt = PromptTemplate.For<Question>("{language}-{text}");
        var ct = TestContext.Current.CancellationToken;

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () => (await prompt.InvokeAsync(new Question($"l{i}", $"t{i}"), cancellationToken: ct)).ToString(), ct)));

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"l{i}-t{i}"), results);
    }
}
