using Microsoft.Extensions.AI;

namespace Chains.Onnx.Tests;

public sealed class MiniLmEmbeddingGeneratorTests(MiniLmFixture fixture)
{
    private const string Cat = "The cat sits on the mat";
    private const string CatParaphrase = "A cat is sitting on a rug";
    private const string Stocks = "Stock markets fell sharply today";

    private readonly MiniLmEmbeddingGenerator _generator = fixture.Generator;

    [Fact]
    public async Task GenerateAsync_ReferenceSentences_ReproduceSentenceTransformersCosines()
    {
        var embeddings = await _generator.GenerateAsync([Cat, CatParaphrase, Stocks], cancellationToken: TestContext.Current.CancellationToken);

        var similar = Vectors.Cosine(embeddings[0], embeddings[1]);
        var unrelated = Vectors.Cosine(embeddings[0], embeddings[2]);
        TestContext.Current.SendDiagnosticMessage($"cos(cat, rug) = {similar:F4}; cos(cat, stocks) = {unrelated:F4}");
        Assert.InRange(similar, 0.76f, 0.78f);
        Assert.InRange(unrelated, 0.03f, 0.07f);
    }

    [Fact]
    public async Task GenerateAsync_ChineseParaphrases_CloserThanUnrelatedChinese()
    {
        string[] texts = ["今天天气很好", "今天的天气非常好", "股票市场今天大幅下跌"];

        var embeddings = await _generator.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);

        var similar = Vectors.Cosine(embeddings[0], embeddings[1]);
        var unrelated = Vectors.Cosine(embeddings[0], embeddings[2]);
        TestContext.Current.SendDiagnosticMessage($"cos(zh paraphrase) = {similar:F4}; cos(zh unrelated) = {unrelated:F4}");
        Assert.True(similar > unrelated, $"paraphrase {similar} should be closer than unrelated {unrelated}");
        Assert.True(_generator.CountTokens(texts[0]) == texts[0].Length + 2, "each CJK character is one token, plus [CLS] and [SEP]");
    }

    [Fact]
    public async Task GenerateAsync_Default_Returns384DimensionUnitVectorsWithModelIdAndUsage()
    {
        string[] texts = [Cat, Stocks];

        var embeddings = await _generator.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, embeddings.Count);
        Assert.All(embeddings, e =>
        {
            Assert.Equal(MiniLmEmbeddingGenerator.Dimensions, e.Vector.Length);
            Assert.Equal("all-MiniLM-L6-v2", e.ModelId);
            Assert.Equal(1f, Vectors.Norm(e), 3);
        });
        Assert.Equal(_generator.CountTokens(Cat) + _generator.CountTokens(Stocks), embeddings.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task GenerateAsync_SmallBatchesOfMixedLengths_MatchEmbeddingEachTextAlone()
    {
        using var generator = new MiniLmEmbeddingGenerator(new MiniLmOptions { BatchSize = 3 });
        string[] texts = ["a", Cat, "A much longer sentence, so that the others in its batch are padded to its length.", "", Stocks, CatParaphrase, "x y z"];

        var batched = await generator.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(texts.Length, batched.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = await _generator.GenerateAsync([texts[i]], cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(Vectors.MaxAbsDifference(alone[0], batched[i]) < 1e-4f, $"text {i} differs when batched with others");
        }
    }

    [Fact]
    public async Task GenerateAsync_ConcurrentCalls_SameVectorsAsSequentialCalls()
    {
        var texts = Enumerable.Range(0, 16).Select(i => $"Sentence number {i} talks about topic {i % 4}, at length {new string('x', i)}.").ToArray();
        var sequential = await _generator.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(round => Task.Run(
            async () => await _generator.GenerateAsync(texts.Skip(round % 4).Take(8).ToArray(), cancellationToken: TestContext.Current.CancellationToken),
            TestContext.Current.CancellationToken)));

        for (var round = 0; round < concurrent.Length; round++)
        {
            for (var i = 0; i < 8; i++)
            {
                Assert.True(Vectors.MaxAbsDifference(sequential[(round % 4) + i], concurrent[round][i]) < 1e-4f, $"round {round}, text {i}");
            }
        }
    }

    [Fact]
    public async Task GenerateAsync_TextLongerThanMaxSequenceLength_IsTruncated()
    {
        using var generator = new MiniLmEmbeddingGenerator(new MiniLmOptions { MaxSequenceLength = 16 });
        var prefix = string.Join(' ', Enumerable.Repeat("cats", 20));

        var embeddings = await generator.GenerateAsync([prefix, prefix + " but the stock markets fell sharply today"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(16, generator.CountTokens(prefix));
        Assert.Equal(16, embeddings.Usage?.InputTokenCount / 2);
        Assert.True(Vectors.MaxAbsDifference(embeddings[0], embeddings[1]) < 1e-5f, "words past the limit must not change the embedding");
    }

    [Fact]
    public async Task GenerateAsync_NormalizeFalse_ReturnsSameDirectionWithoutUnitLength()
    {
        using var generator = new MiniLmEmbeddingGenerator(new MiniLmOptions { Normalize = false });

        var raw = (await generator.GenerateAsync([Cat], cancellationToken: TestContext.Current.CancellationToken))[0];
        var normalized = (await _generator.GenerateAsync([Cat], cancellationToken: TestContext.Current.CancellationToken))[0];

        Assert.NotEqual(1f, Vectors.Norm(raw), 2);
        Assert.Equal(1f, Vectors.Cosine(raw, normalized), 4);
    }

    [Fact]
    public async Task GenerateAsync_NoValues_ReturnsNoEmbeddings()
    {
        var embeddings = await _generator.GenerateAsync([], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(embeddings);
        Assert.Equal(0, embeddings.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task GenerateAsync_NewlinesAndSymbols_AreNotDropped()
    {
        var embeddings = await _generator.GenerateAsync(["price: 5 $", "price: 5 %", "line one\nline two"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(Vectors.MaxAbsDifference(embeddings[0], embeddings[1]) > 1e-3f, "different symbols must give different vectors");
        Assert.Equal(6, _generator.CountTokens("line one\nline two"));
    }

    [Fact]
    public async Task GenerateAsync_OtherDimensions_ThrowsArgumentException()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _generator.GenerateAsync([Cat], new EmbeddingGenerationOptions { Dimensions = 768 }, TestContext.Current.CancellationToken));

        Assert.Contains("768", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_NullText_ThrowsArgumentNullNamingTheIndex()
    {
        var error = await Assert.ThrowsAsync<ArgumentNullException>(() => _generator.GenerateAsync([Cat, null!], cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("index 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_CancelledToken_ReturnsCancelledTask()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var task = _generator.GenerateAsync([Cat], cancellationToken: cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.True(task.IsCanceled);
    }

    [Fact]
    public async Task GenerateAsync_CancelledWhileRunning_StopsWithOperationCanceled()
    {
        using var generator = new MiniLmEmbeddingGenerator(new MiniLmOptions { BatchSize = 1, IntraOpNumThreads = 1 });
        var texts = Enumerable.Repeat(string.Join(' ', Enumerable.Repeat("long sentence", 100)), 2000).ToArray();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Run(() => generator.GenerateAsync(texts, cancellationToken: cts.Token), TestContext.Current.CancellationToken));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"cancellation took {started.Elapsed}");
    }

    [Fact]
    public void GetService_Metadata_ReportsModelIdAndDimensions()
    {
        var metadata = _generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("all-MiniLM-L6-v2", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Equal("onnxruntime", metadata.ProviderName);
        Assert.Same(_generator, _generator.GetService<MiniLmEmbeddingGenerator>());
        Assert.Null(_generator.GetService<EmbeddingGeneratorMetadata>("key"));
    }

    [Fact]
    public void CountTokens_EnglishSentence_CountsWordPiecesWithClsAndSep()
    {
        Assert.Equal(8, _generator.CountTokens(Cat));
        Assert.Equal(2, _generator.CountTokens(string.Empty));
    }

    [Fact]
    public async Task Dispose_ThenGenerate_ThrowsObjectDisposed()
    {
        var generator = new MiniLmEmbeddingGenerator();
        generator.Dispose();
        generator.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync([Cat], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<ObjectDisposedException>(() => generator.CountTokens(Cat));
    }

    [Fact]
    public void Constructor_Default_LoadsModelAndVocabularyEmbeddedInTheAssembly()
    {
        var names = typeof(MiniLmEmbeddingGenerator).Assembly.GetManifestResourceNames();

        Assert.Contains(MiniLmEmbeddingGenerator.ModelResourceName, names);
        Assert.Contains(MiniLmEmbeddingGenerator.VocabularyResourceName, names);
        using var model = typeof(MiniLmEmbeddingGenerator).Assembly.GetManifestResourceStream(MiniLmEmbeddingGenerator.ModelResourceName)!;
        Assert.Equal(90_893_304, model.Length);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheOption()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEmbeddingGenerator(new MiniLmOptions { MaxSequenceLength = 1000 }));

        Assert.Equal("MaxSequenceLength", error.ParamName);
    }
}
