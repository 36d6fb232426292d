using Chains.Indexes;
using Chains.Prompts;
using Chains.Rag;
using Chains.Runnables;
using Chains.Tests.Fakes;
using Chains.Tests.Models;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Rag;

public sealed class RetrievalQaTests
{
    private static readonly Document[] Passages =
    [
        new("geo#0", "Paris is the capital of France.", source: "geo.md", span: new SourceSpan(0, 31)),
        new("geo#1", "The Eiffel Tower was completed in 1889.", source: "geo.md", span: new SourceSpan(32, 39)),
    ];

    private static readonly Document[] ChinesePassages =
    [
        new("zh#0", "巴黎是法国的首都，也是最大的城市。", source: "地理.md", span: new SourceSpan(0, 17)),
        new("zh#1", "埃菲尔铁塔于1889年建成。", source: "地理.md", span: new SourceSpan(17, 14)),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_CitedAnswer_ReturnsCitationsWithSourcesAndSupportedSentences()
    {
        var qa = new RetrievalQa(Retriever(Passages), FakeChatClient.Replying("Paris is the capital of France [1]. The Eiffel Tower was completed in 1889. [2]"));

        var answer = await qa.InvokeAsync("What is the capital of France?", cancellationToken: Ct);

        Assert.True(answer.IsFullySupported);
        Assert.Equal(["Paris is the capital of France.", "The Eiffel Tower was completed in 1889."], answer.Sentences.Select(s => s.Text));
        Assert.Equal([[1], [2]], answer.Sentences.Select(s => s.Citations.ToArray()));
        Assert.Equal([1, 2], answer.Citations.Select(c => c.Number));
        Assert.Equal(("geo.md", new SourceSpan(32, 39)), (answer.Citations[1].Passage.Source, answer.Citations[1].Passage.Span));
        Assert.Equal(1.0, answer.Sentences[0].LexicalOverlap);
        Assert.Null(answer.Sentences[0].SemanticSimilarity);
    }

    [Fact]
    public async Task InvokeAsync_SentenceCitesMissingPassage_IsUnsupportedAndNotACitation()
    {
        var qa = new RetrievalQa(Retriever(Passages), FakeChatClient.Replying("Paris is the capital of France [1][3]."));

        var answer = await qa.InvokeAsync("Capital?", cancellationToken: Ct);

        var sentence = Assert.Single(answer.Sentences);
        Assert.False(sentence.Supported);
        Assert.Equal([1, 3], sentence.Citations);
        Assert.Equal([1], answer.Citations.Select(c => c.Number));
        Assert.False(answer.IsFullySupported);
    }

    [Fact]
    public async Task InvokeAsync_ClaimNotInCitedPassage_IsFlaggedUnsupported()
    {
        var qa = new RetrievalQa(Retriever(Passages), FakeChatClient.Replying("Paris is the capital of France [1]. Paris has forty million inhabitants today [1]."));

        var answer = await qa.InvokeAsync("Tell me about Paris.", cancellationToken: Ct);

        Assert.Equal([true, false], answer.Sentences.Select(s => s.Supported));
        Assert.InRange(answer.Sentences[1].LexicalOverlap, 0, 0.49);
    }

    [Fact]
    public async Task InvokeAsync_UncitedSentence_IsUnsupportedUnlessCitationsAreOptional()
    {
        const string reply = "The Eiffel Tower was completed in 1889.";
        var strict = new RetrievalQa(Retriever(Passages), FakeChatClient.Replying(reply));
        var lenient = new RetrievalQa(Retriever(Passages), FakeChatClient.Replying(reply), new RetrievalQaOptions { RequireCitations = false });

        var strictAnswer = await strict.InvokeAsync("When?", cancellationToken: Ct);
        var lenientAnswer = await lenient.InvokeAsync("When?", cancellationToken: Ct);

        Assert.False(Assert.Single(strictAnswer.Sentences).Supported);
        Assert.True(Assert.Single(lenientAnswer.Sentences).Supported);
        Assert.Empty(lenientAnswer.Citations);
    }

    [Fact]
    public async Task InvokeAsync_NoPassages_AnswerIsUnsupported()
    {
        var qa = new RetrievalQa(Retriever([]), FakeChatClient.Replying("I do not know."));

        var answer = await qa.InvokeAsync("Who?", cancellationToken: Ct);

        Assert.Empty(answer.Passages);
        Assert.False(Assert.Single(answer.Sentences).Supported);
    }

    [Fact]
    public async Task InvokeAsync_Prompt_NumbersPassagesWithSourcesAndAsksForCitations()
    {
        var client = FakeChatClient.Replying("Paris [1].");
        var qa = new RetrievalQa(Retriever(Passages), client);

        await qa.InvokeAsync("What is the capital of France?", cancellationToken: Ct);

        var messages = client.LastMessages!;
        Assert.Contains("square brackets", messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("[1] (geo.md)\nParis is the capital of France.\n\n[2] (geo.md)\nThe Eiffel Tower", messages[1].Text, StringComparison.Ordinal);
        Assert.EndsWith("Question: What is the capital of France?", messages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_ChineseAnswer_SplitsOnChinesePunctuationAndChecksBigrams()
    {
        var qa = new RetrievalQa(Retriever(ChinesePassages), FakeChatClient.Replying("巴黎是法国的首都【1】。埃菲尔铁塔于1889年建成[2]。月球是用奶酪做的[1]。"));

        var answer = await qa.InvokeAsync("法国的首都是哪里？", cancellationToken: Ct);

        Assert.Equal(["巴黎是法国的首都。", "埃菲尔铁塔于1889年建成。", "月球是用奶酪做的。"], answer.Sentences.Select(s => s.Text));
        Assert.Equal([true, true, false], answer.Sentences.Select(s => s.Supported));
        Assert.Equal("地理.md", answer.Citations[0].Passage.Source);
    }

    [Fact]
    public async Task InvokeAsync_EmbeddingGenerator_ParaphraseIsSupportedBySimilarity()
    {
        // Texts about Paris, texts about the tower and everything else embed to three different directions.
        var embedder = new FakeEmbeddingGenerator
        {
            GenerateAsyncCallback = (values, _, _) => Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(
                values.Select(v => new Embedding<float>(
                    v.Contains("Paris", StringComparison.Ordinal) ? new float[] { 1, 0 }
                    : v.Contains("Eiffel", StringComparison.Ordinal) ? [0, 1]
                    : [1, -1])))),
        };
        var qa = new RetrievalQa(
            Retriever(Passages),
            FakeChatClient.Replying("France's seat of government sits in Paris [1]. Tourists enjoy croissants [2]."),
            new RetrievalQaOptions { EmbeddingGenerator = embedder, MinSemanticSimilarity = 0.9 });

        var answer = await qa.InvokeAsync("Capital?", cancellationToken: Ct);

        Assert.Equal([true, false], answer.Sentences.Select(s => s.Supported));
        Assert.True(answer.Sentences[0].LexicalOverlap < 0.5);
        Assert.Equal(1.0, answer.Sentences[0].SemanticSimilarity!.Value, 5);
        Assert.True(answer.Sentences[1].SemanticSimilarity < 0);
        Assert.Equal(1, embedder.Calls);
        Assert.Equal(4, embedder.LastValues!.Count);
    }

    [Fact]
    public async Task StreamAsync_Always_YieldsPassagesThenDeltasThenTheCheckedAnswer()
    {
        var qa = new RetrievalQa(Retriever(Passages), FakeChatClient.Streaming("Paris is ", "the capital of France", " [1]."));

        var snapshots = await qa.StreamAsync("Capital?", cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(5, snapshots.Count);
        Assert.Equal((string.Empty, 2, false), (snapshots[0].Answer, snapshots[0].Passages.Count, snapshots[0].IsComplete));
        Assert.Equal(["Paris is ", "the capital of France", " [1]."], snapshots.Skip(1).Take(3).Select(s => s.AnswerDelta));
        Assert.Equal("Paris is the capital of France", snapshots[2].Answer);
        Assert.All(snapshots.Take(4), s => Assert.Empty(s.Sentences));
        var final = snapshots[^1];
        Assert.True(final.IsComplete);
        Assert.True(final.IsFullySupported);
        Assert.Equal("Paris is the capital of France [1].", final.Answer);
    }

    [Fact]
    public async Task InvokeAsync_EventSink_RetrievalPromptModelAndEmbeddingAreChildSteps()
    {
        var sink = new CollectingSink();
        var embedder = new FakeEmbeddingGenerator();
        var qa = new RetrievalQa(Retriever(Passages), FakeChatClient.Replying("Paris is the capital of France [1]."), new RetrievalQaOptions { EmbeddingGenerator = embedder });

        await qa.InvokeAsync("Capital?", new RunOptions { EventSink = sink }, Ct);

        var started = sink.Events.OfType<RunStartedEvent>().ToArray();
        Assert.Equal("RetrievalQa", started[0].Name);
        Assert.Equal(["Retriever", "ChatPromptTemplate", "fake-model", "fake-embedder"], started.Skip(1).Select(e => e.Name));
        Assert.All(started.Skip(1), e => Assert.Equal(started[0].RunId, e.ParentRunId));
        var completed = Assert.IsType<RagAnswer>(sink.Events.OfType<RunCompletedEvent>().Last().Output);
        Assert.True(completed.IsComplete);
    }

    [Fact]
    public void Constructor_PromptWithoutContext_ThrowsPromptVariablesException()
    {
        var prompt = new ChatPromptTemplate(ChatMessageTemplate.User("Answer: {question}"));

        Assert.Throws<PromptVariablesException>(() => new RetrievalQa(Retriever(Passages), new FakeChatClient(), new RetrievalQaOptions { Prompt = prompt }));
    }

    [Fact]
    public void Constructor_LexicalThresholdAboveOne_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new RetrievalQa(Retriever(Passages), new FakeChatClient(), new RetrievalQaOptions { MinLexicalOverlap = 1.5 }));

        Assert.Contains("MinLexicalOverlap is 1.5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_BlankQuestion_Throws()
        => await Assert.ThrowsAsync<ArgumentException>(async () => await new RetrievalQa(Retriever(Passages), new FakeChatClient()).InvokeAsync(" ", cancellationToken: Ct));

    private static Runnable<string, IReadOnlyList<Document>> Retriever(IReadOnlyList<Document> passages)
        => Runnable.Lambda<string, IReadOnlyList<Document>>(_ => passages, "Retriever");
}
