using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Text;
using Chains.Indexes;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Rag;

/// <summary>
/// Retrieval question answering with checked citations: retrieves passages for the question, numbers them
/// <c>[1]</c>, <c>[2]</c>… in the prompt, asks the model to cite them after each sentence, then splits the answer into
/// sentences (English and Chinese punctuation) and checks each against the passages it cites: by lexical overlap (Latin
/// words, CJK character bigrams) and, when an embedding generator is configured, by cosine similarity. Sentences that
/// cite a passage that does not exist, or whose passages do not support them, are flagged in the typed
/// <see cref="RagAnswer"/>.
/// </summary>
/// <remarks>
/// <para>Retrieval, prompt, model and embedding calls run as child steps, so they appear in events and traces.</para>
/// <para><b>Streaming</b> yields <see cref="RagAnswer"/> snapshots: first the passages with an empty answer (as soon as
/// retrieval is done), then one per text delta of the model (<see cref="RagAnswer.AnswerDelta"/> holds the delta,
/// <see cref="RagAnswer.Answer"/> the text so far), and last the complete, checked answer
/// (<see cref="RagAnswer.IsComplete"/>), which is also what the run's events report as its output.</para>
/// </remarks>
public sealed class RetrievalQa : Runnable<string, RagAnswer>
{
    private readonly Runnable<string, IReadOnlyList<Document>> _retriever;
    private readonly ChatPromptTemplate<RagPromptInput> _prompt;
    private readonly Runnable<PromptValue, ChatResponse> _model;
    private readonly Runnable<IReadOnlyList<string>, GeneratedEmbeddings<Embedding<float>>>? _embedder;
    private readonly double _minLexical;
    private readonly double _minSemantic;
    private readonly bool _requireCitations;

    /// <summary>Creates the chain.</summary>
    /// <param name="retriever">Finds the passages for a question (any <c>Runnable&lt;string, IReadOnlyList&lt;Document&gt;&gt;</c>,
    /// such as a <see cref="Retriever"/>).</param>
    /// <param name="chatClient">The model that writes the answer.</param>
    /// <param name="options">Prompt, chat options, support-check embedding generator and thresholds; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="retriever"/> or <paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is out of range (the message names it).</exception>
    /// <exception cref="PromptVariablesException">The prompt does not use exactly <c>{question}</c> and <c>{context}</c>.</exception>
    public RetrievalQa(Runnable<string, IReadOnlyList<Document>> retriever, IChatClient chatClient, RetrievalQaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        ArgumentNullException.ThrowIfNull(chatClient);
        options ??= new RetrievalQaOptions();
        if (options.MinLexicalOverlap is < 0 or > 1 || double.IsNaN(options.MinLexicalOverlap))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MinLexicalOverlap, $"RetrievalQaOptions.MinLexicalOverlap is {options.MinLexicalOverlap}; it must be between 0 and 1.");
        }

        if (options.MinSemanticSimilarity is < -1 or > 1 || double.IsNaN(options.MinSemanticSimilarity))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MinSemanticSimilarity, $"RetrievalQaOptions.MinSemanticSimilarity is {options.MinSemanticSimilarity}; it must be between -1 and 1.");
        }

        _retriever = retriever;
        _prompt = (options.Prompt ?? DefaultPrompt).AsRunnable<RagPromptInput>();
        _model = chatClient.AsRunnable(options.ChatOptions);
        _embedder = options.EmbeddingGenerator?.AsBatchRunnable();
        _minLexical = options.MinLexicalOverlap;
        _minSemantic = options.MinSemanticSimilarity;
        _requireCitations = options.RequireCitations;
    }

    /// <summary>Gets the default prompt: answer only from the numbered passages, cite them after each sentence as
    /// <c>[n]</c>, say so when they do not hold the answer, and answer in the question's language.</summary>
    public static ChatPromptTemplate DefaultPrompt { get; } = new(
        ChatMessageTemplate.System(
            "Answer the question using only the numbered passages below. After each sentence, cite the passages that support it " +
            "with their numbers in square brackets, for example [1] or [2][3]. Cite only passages that state what the sentence says. " +
            "If the passages do not contain the answer, say that you do not know. Answer in the language of the question."),
        ChatMessageTemplate.User("Passages:\n\n{context}\n\nQuestion: {question}"));

    /// <inheritdoc />
    public override string Name => nameof(RetrievalQa);

    /// <summary>Formats passages as the prompt's <c>{context}</c>: <c>[n] (source)</c> on a line, then the text.</summary>
    /// <param name="passages">The passages.</param>
    /// <returns>The numbered passages.</returns>
    internal static string FormatPassages(IReadOnlyList<Document> passages)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < passages.Count; i++)
        {
            if (i > 0)
            {
                builder.Append("\n\n");
            }

            builder.Append(CultureInfo.InvariantCulture, $"[{i + 1}]");
            if (passages[i].Source is { } source)
            {
                builder.Append(" (").Append(source).Append(')');
            }

            builder.Append('\n').Append(passages[i].Content);
        }

        return builder.ToString();
    }

    /// <inheritdoc />
    protected internal override async ValueTask<RagAnswer> InvokeCoreAsync(string input, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        var passages = await context.InvokeAsync(_retriever, input, cancellationToken) ?? [];
        var prompt = await context.InvokeAsync(_prompt, new RagPromptInput(input, FormatPassages(passages)), cancellationToken);
        var response = await context.InvokeAsync(_model, prompt, cancellationToken);
        return await CheckAsync(input, passages, response.Text, context, cancellationToken);
    }

    /// <inheritdoc />
    protected internal override async IAsyncEnumerable<RagAnswer> StreamCoreAsync(string input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        var passages = await context.InvokeAsync(_retriever, input, cancellationToken) ?? [];
        var prompt = await context.InvokeAsync(_prompt, new RagPromptInput(input, FormatPassages(passages)), cancellationToken);
        yield return new RagAnswer { Question = input, Answer = string.Empty, Passages = passages };

        var answer = new StringBuilder();
        await foreach (var chunk in context.StreamAsync(_model, prompt, cancellationToken).WithCancellation(cancellationToken))
        {
            if (chunk.Text is { Length: > 0 } delta)
            {
                answer.Append(delta);
                yield return new RagAnswer { Question = input, Answer = answer.ToString(), Passages = passages, AnswerDelta = delta };
            }
        }

        yield return await CheckAsync(input, passages, answer.ToString(), context, cancellationToken);
    }

    private async ValueTask<RagAnswer> CheckAsync(string question, IReadOnlyList<Document> passages, string answer, RunContext context, CancellationToken cancellationToken)
    {
        var sentences = AnswerSentences.Split(answer);
        var passageTokens = new HashSet<string>?[passages.Count];
        var allPassages = Enumerable.Range(1, passages.Count).ToArray();
        var evidence = new IReadOnlyList<int>[sentences.Count];
        var lexical = new double[sentences.Count];
        for (var s = 0; s < sentences.Count; s++)
        {
            var cited = sentences[s].Citations;
            evidence[s] = cited.Count == 0 ? allPassages : cited.Where(n => n >= 1 && n <= passages.Count).ToArray();
            var tokens = new HashSet<string>(StringComparer.Ordinal);
            foreach (var n in evidence[s])
            {
                tokens.UnionWith(passageTokens[n - 1] ??= SupportTokens.Tokenize(passages[n - 1].Content));
            }

            lexical[s] = SupportTokens.Overlap(SupportTokens.Tokenize(sentences[s].Text), tokens);
        }

        var semantic = _embedder is null ? null : await SemanticAsync(sentences, evidence, passages, context, cancellationToken);
        var checkedSentences = new RagSentence[sentences.Count];
        for (var s = 0; s < sentences.Count; s++)
        {
            var sentence = sentences[s];
            var citesValid = sentence.Citations.All(n => n >= 1 && n <= passages.Count);
            var cites = sentence.Citations.Count > 0 || !_requireCitations;
            var similarity = semantic?[s];
            var supported = citesValid && cites && evidence[s].Count > 0
                && (lexical[s] >= _minLexical || similarity >= _minSemantic);
            checkedSentences[s] = new RagSentence(sentence.Text, sentence.Span, sentence.Citations, supported, lexical[s], similarity);
        }

        var citations = sentences.SelectMany(s => s.Citations)
            .Where(n => n >= 1 && n <= passages.Count)
            .Distinct()
            .Order()
            .Select(n => new RagCitation(n, passages[n - 1]))
            .ToArray();
        return new RagAnswer
        {
            Question = question,
            Answer = answer,
            Passages = passages,
            Citations = citations,
            Sentences = checkedSentences,
            IsComplete = true,
        };
    }

    /// <summary>Embeds every sentence with evidence and every passage used as evidence in one call, and returns each
    /// sentence's highest cosine similarity to its evidence (<see langword="null"/> for sentences without evidence).</summary>
    private async ValueTask<double?[]> SemanticAsync(List<AnswerSentence> sentences, IReadOnlyList<int>[] evidence, IReadOnlyList<Document> passages, RunContext context, CancellationToken cancellationToken)
    {
        var similarity = new double?[sentences.Count];
        var texts = new List<string>();
        var sentenceSlot = new int[sentences.Count];
        var passageSlot = new Dictionary<int, int>();
        for (var s = 0; s < sentences.Count; s++)
        {
            sentenceSlot[s] = -1;
            if (evidence[s].Count == 0)
            {
                continue;
            }

            sentenceSlot[s] = texts.Count;
            texts.Add(sentences[s].Text);
            foreach (var n in evidence[s])
            {
                if (!passageSlot.ContainsKey(n))
                {
                    passageSlot[n] = texts.Count;
                    texts.Add(passages[n - 1].Content);
                }
            }
        }

        if (texts.Count == 0)
        {
            return similarity;
        }

        var embeddings = await context.InvokeAsync(_embedder!, texts, cancellationToken);
        if (embeddings.Count != texts.Count)
        {
            throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for {texts.Count} texts.");
        }

        for (var s = 0; s < sentences.Count; s++)
        {
            if (sentenceSlot[s] < 0)
            {
                continue;
            }

            var claim = embeddings[sentenceSlot[s]].Vector.Span;
            var best = double.NegativeInfinity;
            foreach (var n in evidence[s])
            {
                best = Math.Max(best, TensorPrimitives.CosineSimilarity(claim, embeddings[passageSlot[n]].Vector.Span));
            }

            similarity[s] = best;
        }

        return similarity;
    }
}

/// <summary>The values of the retrieval QA prompt.</summary>
/// <param name="Question">The question.</param>
/// <param name="Context">The numbered passages.</param>
internal sealed record RagPromptInput(string Question, string Context);
