namespace Chains.LLamaSharp.Inference;

/// <summary>Finds stop sequences in streamed text, across token boundaries: text that could be the start of a stop
/// sequence is held back until it is known not to be one; a matched stop sequence and everything after it are dropped.</summary>
internal sealed class StopSequenceMatcher(IReadOnlyList<string> stops)
{
    private readonly string[] _stops = [.. stops.Where(s => !string.IsNullOrEmpty(s))];
    private string _pending = string.Empty;

    /// <summary>Gets whether there is any stop sequence to look for.</summary>
    public bool HasStops => _stops.Length > 0;

    /// <summary>Gets whether a stop sequence has been matched.</summary>
    public bool Matched { get; private set; }

    /// <summary>Adds text; returns the text that can be emitted now.</summary>
    public string Add(string text)
    {
        if (Matched || text.Length == 0)
        {
            return string.Empty;
        }

        if (_stops.Length == 0)
        {
            return text;
        }

        _pending += text;
        var first = -1;
        foreach (var stop in _stops)
        {
            var index = _pending.IndexOf(stop, StringComparison.Ordinal);
            if (index >= 0 && (first < 0 || index < first))
            {
                first = index;
            }
        }

        if (first >= 0)
        {
            Matched = true;
            var before = _pending[..first];
            _pending = string.Empty;
            return before;
        }

        var hold = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, _pending.Length); length > hold; length--)
            {
                if (_pending.AsSpan(_pending.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    hold = length;
                    break;
                }
            }
        }

        var emit = _pending.Length - hold;
        if (emit > 0 && char.IsHighSurrogate(_pending[emit - 1]))
        {
            emit--;
        }

        var result = _pending[..emit];
        _pending = _pending[emit..];
        return result;
    }

    /// <summary>Returns the held-back text at the end of generation (nothing when a stop sequence matched).</summary>
    public string Flush()
    {
        var rest = Matched ? string.Empty : _pending;
        _pending = string.Empty;
        return rest;
    }
}
