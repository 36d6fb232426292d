namespace Chains.Indexes.Retrievers;

/// <summary>
/// A keyword index ranked by Okapi BM25, for hybrid search beside a vector store (see <see cref="HybridRetriever"/>).
/// Terms need no language setup: Latin-script words are lower-cased; Chinese, Japanese and Korean text is indexed as
/// character bigrams plus single characters, so <c>向量数据库</c> is found by <c>向量</c> or <c>数据库</c>.
/// </summary>
/// <remarks>
/// <para>Keep the index over the same documents as the vector store: <see cref="Upsert"/> what you upsert there and
/// <see cref="Delete"/> what you delete. Scores use <c>idf = ln(1 + (N − df + 0.5) / (df + 0.5))</c>, so they are never
/// negative.</para>
/// <para>Thread-safe: one lock guards the index; searches are short (they touch only the postings of the query's
/// terms).</para>
/// </remarks>
public sealed class Bm25Index
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _postings = new(StringComparer.Ordinal);
    private long _totalLength;

    /// <summary>Initializes an empty index.</summary>
    /// <param name="k1">Term-frequency saturation (default 1.2; 0 ignores repetitions).</param>
    /// <param name="b">Length normalisation, from 0 (none) to 1 (full); default 0.75.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k1"/> is negative or <paramref name="b"/> is outside [0, 1].</exception>
    public Bm25Index(double k1 = 1.2, double b = 0.75)
    {
        if (!(k1 >= 0) || double.IsInfinity(k1))
        {
            throw new ArgumentOutOfRangeException(nameof(k1), k1, "k1 must be a finite number of at least 0.");
        }

        if (!(b is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(b), b, "b must be between 0 and 1.");
        }

        K1 = k1;
        B = b;
    }

    /// <summary>Gets the term-frequency saturation parameter.</summary>
    public double K1 { get; }

    /// <summary>Gets the length-normalisation parameter.</summary>
    public double B { get; }

    /// <summary>Gets the number of indexed documents.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _documents.Count;
            }
        }
    }

    /// <summary>Indexes documents, replacing any with the same id.</summary>
    /// <param name="documents">The documents.</param>
    /// <exception cref="ArgumentNullException"><paramref name="documents"/> is or holds <see langword="null"/>.</exception>
    public void Upsert(IEnumerable<Document> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var prepared = new List<(Document Document, Dictionary<string, int> Terms, int Length)>();
        foreach (var document in documents)
        {
            ArgumentNullException.ThrowIfNull(document, nameof(documents));
            var terms = TextTerms.Tokenize(document.Content);
            var frequencies = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var term in terms)
            {
                frequencies[term] = frequencies.GetValueOrDefault(term) + 1;
            }

            prepared.Add((document, frequencies, terms.Count));
        }

        lock (_lock)
        {
            foreach (var (document, terms, length) in prepared)
            {
                Remove(document.Id);
                _documents[document.Id] = new Entry(document, terms, length);
                _totalLength += length;
                foreach (var (term, frequency) in terms)
                {
                    if (!_postings.TryGetValue(term, out var posting))
                    {
                        posting = new Dictionary<string, int>(StringComparer.Ordinal);
                        _postings[term] = posting;
                    }

                    posting[document.Id] = frequency;
                }
            }
        }
    }

    /// <summary>Removes documents by id.</summary>
    /// <param name="ids">The ids.</param>
    /// <returns>The number of documents removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is or holds <see langword="null"/>.</exception>
    public int Delete(IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var removed = 0;
        lock (_lock)
        {
            foreach (var id in ids)
            {
                ArgumentNullException.ThrowIfNull(id, nameof(ids));
                if (Remove(id))
                {
                    removed++;
                }
            }
        }

        return removed;
    }

    /// <summary>Finds the documents that best match the query's terms.</summary>
    /// <param name="query">The query text.</param>
    /// <param name="top">How many documents to return at most.</param>
    /// <param name="filter">A metadata filter every match must pass, or <see langword="null"/>.</param>
    /// <returns>The matches with their BM25 scores, best first (ties by id); documents sharing no term with the query
    /// are not returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> is less than 1.</exception>
    public IReadOnlyList<ScoredDocument> Search(string query, int top = 4, MetadataFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var terms = TextTerms.Tokenize(query, forQuery: true).Distinct(StringComparer.Ordinal).ToArray();
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        lock (_lock)
        {
            var n = _documents.Count;
            if (n == 0)
            {
                return [];
            }

            var averageLength = Math.Max(1.0, (double)_totalLength / n);
            var rejected = filter is null ? null : new HashSet<string>(StringComparer.Ordinal);
            foreach (var term in terms)
            {
                if (!_postings.TryGetValue(term, out var posting))
                {
                    continue;
                }

                var idf = Math.Log(1 + ((n - posting.Count + 0.5) / (posting.Count + 0.5)));
                foreach (var (id, frequency) in posting)
                {
                    var entry = _documents[id];
                    if (rejected is not null && !scores.ContainsKey(id) && (rejected.Contains(id) || !Accept(filter!, entry, rejected)))
                    {
                        continue;
                    }

                    var norm = K1 * (1 - B + (B * entry.Length / averageLength));
                    scores[id] = scores.GetValueOrDefault(id) + (idf * frequency * (K1 + 1) / (frequency + norm));
                }
            }

            return scores
                .OrderByDescending(s => s.Value)
                .ThenBy(s => s.Key, StringComparer.Ordinal)
                .Take(top)
                .Select(s => new ScoredDocument(_documents[s.Key].Document, s.Value))
                .ToArray();
        }
    }

    private static bool Accept(MetadataFilter filter, Entry entry, HashSet<string> rejected)
    {
        if (filter.Matches(entry.Document.Metadata))
        {
            return true;
        }

        rejected.Add(entry.Document.Id);
        return false;
    }

    private bool Remove(string id)
    {
        if (!_documents.Remove(id, out var entry))
        {
            return false;
        }

        _totalLength -= entry.Length;
        foreach (var term in entry.Terms.Keys)
        {
            var posting = _postings[term];
            posting.Remove(id);
            if (posting.Count == 0)
            {
                _postings.Remove(term);
            }
        }

        return true;
    }

    private sealed record Entry(Document Document, Dictionary<string, int> Terms, int Length);
}
