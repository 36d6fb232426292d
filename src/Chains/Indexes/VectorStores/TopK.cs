namespace Chains.Indexes.VectorStores;

/// <summary>
/// Keeps the <c>k</c> best (score, row) pairs seen in a scan in a min-heap of fixed size: adding a candidate allocates
/// nothing, and a candidate no better than the current worst costs one comparison (<see cref="Threshold"/>). Ties keep
/// the row seen first, so rows must be offered in increasing order.
/// </summary>
internal sealed class TopK
{
    private readonly float[] _scores;
    private readonly int[] _rows;
    private int _count;

    public TopK(int k)
    {
        _scores = new float[k];
        _rows = new int[k];
    }

    /// <summary>Gets the number of pairs kept.</summary>
    public int Count => _count;

    /// <summary>Gets the score a candidate must beat once the heap is full (negative infinity until then).</summary>
    public float Threshold { get; private set; } = float.NegativeInfinity;

    /// <summary>Offers a candidate; callers may skip the call when <paramref name="score"/> &lt;= <see cref="Threshold"/>.</summary>
    public void Add(float score, int row)
    {
        if (_count < _scores.Length)
        {
            // Sift up.
            var i = _count++;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (!Worse(score, row, _scores[parent], _rows[parent]))
                {
                    break;
                }

                _scores[i] = _scores[parent];
                _rows[i] = _rows[parent];
                i = parent;
            }

            _scores[i] = score;
            _rows[i] = row;
            if (_count == _scores.Length)
            {
                Threshold = _scores[0];
            }

            return;
        }

        if (score <= _scores[0])
        {
            return;
        }

        // Replace the root (the worst kept) and sift down.
        var at = 0;
        while (true)
        {
            var child = (2 * at) + 1;
            if (child >= _count)
            {
                break;
            }

            if (child + 1 < _count && Worse(_scores[child + 1], _rows[child + 1], _scores[child], _rows[child]))
            {
                child++;
            }

            if (!Worse(_scores[child], _rows[child], score, row))
            {
                break;
            }

            _scores[at] = _scores[child];
            _rows[at] = _rows[child];
            at = child;
        }

        _scores[at] = score;
        _rows[at] = row;
        Threshold = _scores[0];
    }

    /// <summary>Returns the kept pairs best first (higher score first; on equal scores, the lower row first).</summary>
    public (float Score, int Row)[] ToSortedArray()
    {
        var result = new (float Score, int Row)[_count];
        for (var i = 0; i < _count; i++)
        {
            result[i] = (_scores[i], _rows[i]);
        }

        Array.Sort(result, static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Row.CompareTo(b.Row));
        return result;
    }

    private static bool Worse(float score, int row, float otherScore, int otherRow)
        => score < otherScore || (score == otherScore && row > otherRow);
}
