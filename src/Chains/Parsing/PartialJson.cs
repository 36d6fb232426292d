using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Chains.Parsing;

/// <summary>
/// Finds the JSON object or array in a model's answer (inside a <c>```</c> code fence first, else anywhere in the text)
/// and completes a cut-off one: open strings, arrays and objects are closed, a dangling key, colon, comma, partial
/// literal or partial escape is dropped.
/// </summary>
/// <remarks>
/// A candidate is any <c>{</c> or <c>[</c>; candidates that stop being JSON (prose such as <c>[see below]</c>) are
/// skipped, so the first one that is valid JSON so far wins. Raw control characters inside strings (a newline a model
/// wrote into a string) are escaped. An instance reuses its buffers and is not thread-safe; use one per parse or stream.
/// </remarks>
internal sealed class PartialJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    private readonly StringBuilder _output = new();
    private readonly List<Frame> _frames = [];
    private int _end;

    internal enum Status
    {
        /// <summary>The text holds no <c>{</c> or <c>[</c> that starts JSON.</summary>
        NotFound,

        /// <summary>A balanced object or array was found.</summary>
        Complete,

        /// <summary>An object or array starts but the text ends before it does.</summary>
        Truncated,

        /// <summary>The candidate is not JSON.</summary>
        Invalid,
    }

    private enum State
    {
        Value,
        KeyOrEnd,
        KeyString,
        Colon,
        AfterValue,
        ValueString,
        Number,
        Literal,
    }

    /// <summary>Finds the first complete JSON object or array in <paramref name="text"/>.</summary>
    /// <param name="text">The model's answer.</param>
    /// <param name="element">The JSON value.</param>
    /// <param name="error">Why none was found: no candidate, a cut-off value, or the JSON parser's message.</param>
    /// <returns><see cref="Status.Complete"/> when found, otherwise <see cref="Status.NotFound"/> or
    /// <see cref="Status.Truncated"/> (also for invalid JSON, with the parser's message).</returns>
    public Status TryParseComplete(string text, out JsonElement element, out string error)
    {
        element = default;
        error = "the text holds no JSON object or array";
        var sawCandidate = false;
        var (fenceStart, fenceEnd) = FindFence(text);
        for (var pass = 0; pass < 2; pass++)
        {
            var (from, to) = pass == 0 ? (fenceStart, fenceEnd) : (0, text.Length);
            if (from < 0)
            {
                continue;
            }

            for (var i = NextCandidate(text, from, to); i >= 0; i = NextCandidate(text, i + 1, to))
            {
                if (pass == 1 && i >= fenceStart && i < fenceEnd)
                {
                    continue;
                }

                switch (Scan(text, i, to, finishTruncated: false))
                {
                    case Status.Complete:
                        sawCandidate = true;
                        try
                        {
                            element = JsonElement.Parse(_output.ToString(), DocumentOptions);
                            return Status.Complete;
                        }
                        catch (JsonException ex)
                        {
                            error = $"the JSON starting at index {i} is not valid: {ex.Message}";
                            i = _end - 1; // Values nested in it are not the answer.
                        }

                        break;
                    case Status.Truncated:
                        error = $"the JSON starting at index {i} is incomplete (the answer was cut off before it closed)";
                        return Status.Truncated;
                    default:
                        break;
                }
            }
        }

        return sawCandidate ? Status.Truncated : Status.NotFound;
    }

    /// <summary>Finds the first JSON object or array in <paramref name="text"/>, completing it if it is cut off.</summary>
    /// <param name="text">The answer received so far.</param>
    /// <param name="element">The completed JSON value.</param>
    /// <returns><see langword="true"/> when a value was found and its completion parses.</returns>
    public bool TryParsePartial(string text, out JsonElement element)
    {
        element = default;
        var (fenceStart, fenceEnd) = FindFence(text);
        for (var pass = 0; pass < 2; pass++)
        {
            var (from, to) = pass == 0 ? (fenceStart, fenceEnd) : (0, text.Length);
            if (from < 0)
            {
                continue;
            }

            for (var i = NextCandidate(text, from, to); i >= 0; i = NextCandidate(text, i + 1, to))
            {
                if (pass == 1 && i >= fenceStart && i < fenceEnd)
                {
                    continue;
                }

                var status = Scan(text, i, to, finishTruncated: true);
                if (status == Status.Invalid)
                {
                    continue;
                }

                try
                {
                    element = JsonElement.Parse(_output.ToString(), DocumentOptions);
                    return true;
                }
                catch (JsonException)
                {
                    if (status == Status.Truncated)
                    {
                        // A cut-off value whose completion does not parse yet (e.g. a malformed number): no snapshot
                        // rather than a snapshot of some value nested inside it.
                        return false;
                    }

                    i = _end - 1;
                }
            }
        }

        return false;
    }

    /// <summary>Scans one candidate; on return the output buffer holds the (completed) JSON text.</summary>
    internal Status Scan(string text, int start, int end, bool finishTruncated)
    {
        _output.Clear();
        _frames.Clear();
        var output = _output;
        var state = State.Value;
        var escape = false;
        var hexDigits = -1;
        var scalarStart = 0;
        var i = start;
        while (i < end)
        {
            var c = text[i];
            switch (state)
            {
                case State.KeyString:
                case State.ValueString:
                    if (escape)
                    {
                        escape = false;
                        if (c == 'u')
                        {
                            hexDigits = 0;
                        }
                        else if (c is not ('"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't'))
                        {
                            return Status.Invalid;
                        }

                        output.Append(c);
                    }
                    else if (hexDigits >= 0)
                    {
                        if (!char.IsAsciiHexDigit(c))
                        {
                            return Status.Invalid;
                        }

                        output.Append(c);
                        hexDigits = hexDigits == 3 ? -1 : hexDigits + 1;
                    }
                    else if (c == '\\')
                    {
                        escape = true;
                        output.Append(c);
                    }
                    else if (c == '"')
                    {
                        output.Append(c);
                        if (state == State.KeyString)
                        {
                            state = State.Colon;
                        }
                        else
                        {
                            state = State.AfterValue;
                            Commit();
                        }
                    }
                    else if (c < ' ')
                    {
                        AppendControl(output, c);
                    }
                    else
                    {
                        output.Append(c);
                    }

                    i++;
                    continue;

                case State.Number:
                    if (char.IsAsciiDigit(c) || c is '-' or '+' or '.' or 'e' or 'E')
                    {
                        output.Append(c);
                        i++;
                        continue;
                    }

                    // The number ended: handle c as the next structural character.
                    state = State.AfterValue;
                    Commit();
                    continue;

                case State.Literal:
                    if (char.IsAsciiLetterLower(c))
                    {
                        output.Append(c);
                        if (!IsLiteralPrefix(output, scalarStart))
                        {
                            return Status.Invalid;
                        }

                        i++;
                        continue;
                    }

                    if (!IsCompleteLiteral(output, scalarStart))
                    {
                        return Status.Invalid;
                    }

                    state = State.AfterValue;
                    Commit();
                    continue;
            }

            i++;
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            switch (state)
            {
                case State.Value:
                    if (c is '{' or '[')
                    {
                        output.Append(c);
                        _frames.Add(new Frame(c == '{', output.Length));
                        state = c == '{' ? State.KeyOrEnd : State.Value;
                    }
                    else if (c == ']' && _frames.Count > 0 && !_frames[^1].IsObject)
                    {
                        if (Close(c, ref state, i))
                        {
                            return Status.Complete;
                        }
                    }
                    else if (_frames.Count == 0)
                    {
                        return Status.Invalid;
                    }
                    else if (c == '"')
                    {
                        output.Append(c);
                        state = State.ValueString;
                    }
                    else if (c == '-' || char.IsAsciiDigit(c))
                    {
                        scalarStart = output.Length;
                        output.Append(c);
                        state = State.Number;
                    }
                    else if (c is 't' or 'f' or 'n')
                    {
                        scalarStart = output.Length;
                        output.Append(c);
                        state = State.Literal;
                    }
                    else
                    {
                        return Status.Invalid;
                    }

                    break;

                case State.KeyOrEnd:
                    if (c == '"')
                    {
                        output.Append(c);
                        state = State.KeyString;
                    }
                    else if (c == '}')
                    {
                        if (Close(c, ref state, i))
                        {
                            return Status.Complete;
                        }
                    }
                    else
                    {
                        return Status.Invalid;
                    }

                    break;

                case State.Colon:
                    if (c != ':')
                    {
                        return Status.Invalid;
                    }

                    output.Append(c);
                    state = State.Value;
                    break;

                default: // AfterValue
                    var inObject = _frames[^1].IsObject;
                    if (c == ',')
                    {
                        output.Append(c);
                        state = inObject ? State.KeyOrEnd : State.Value;
                    }
                    else if (c == (inObject ? '}' : ']'))
                    {
                        if (Close(c, ref state, i))
                        {
                            return Status.Complete;
                        }
                    }
                    else
                    {
                        return Status.Invalid;
                    }

                    break;
            }
        }

        if (_frames.Count == 0)
        {
            return Status.Invalid;
        }

        if (finishTruncated)
        {
            Finish(state, escape, hexDigits, scalarStart);
        }

        return Status.Truncated;
    }

    private static (int Start, int End) FindFence(string text)
    {
        var open = text.IndexOf("```", StringComparison.Ordinal);
        if (open < 0)
        {
            return (-1, -1);
        }

        var lineEnd = text.IndexOf('\n', open + 3);
        if (lineEnd < 0)
        {
            return (-1, -1);
        }

        var close = text.IndexOf("```", lineEnd + 1, StringComparison.Ordinal);
        return (lineEnd + 1, close < 0 ? text.Length : close);
    }

    private static int NextCandidate(string text, int from, int to)
    {
        var i = text.AsSpan(from, to - from).IndexOfAny('{', '[');
        return i < 0 ? -1 : from + i;
    }

    private static void AppendControl(StringBuilder output, char c)
    {
        _ = c switch
        {
            '\n' => output.Append("\\n"),
            '\r' => output.Append("\\r"),
            '\t' => output.Append("\\t"),
            _ => output.Append("\\u00").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)),
        };
    }

    private static bool IsLiteralPrefix(StringBuilder output, int start)
    {
        var length = output.Length - start;
        return Matches("true") || Matches("false") || Matches("null");

        bool Matches(string literal)
        {
            if (length > literal.Length)
            {
                return false;
            }

            for (var k = 0; k < length; k++)
            {
                if (output[start + k] != literal[k])
                {
                    return false;
                }
            }

            return true;
        }
    }

    private static bool IsCompleteLiteral(StringBuilder output, int start)
        => (output.Length - start) switch
        {
            4 => output[start] is 't' or 'n',
            5 => output[start] == 'f',
            _ => false,
        };

    private void Commit()
    {
        if (_frames.Count > 0)
        {
            _frames[^1] = _frames[^1] with { CommitLength = _output.Length };
        }
    }

    /// <summary>Closes the innermost frame; returns <see langword="true"/> when that closed the outermost one.</summary>
    private bool Close(char closer, ref State state, int end)
    {
        _output.Append(closer);
        _frames.RemoveAt(_frames.Count - 1);
        if (_frames.Count == 0)
        {
            _end = end;
            return true;
        }

        state = State.AfterValue;
        Commit();
        return false;
    }

    /// <summary>Completes the cut-off text in the output buffer.</summary>
    private void Finish(State state, bool escape, int hexDigits, int scalarStart)
    {
        var output = _output;
        var cut = false;
        switch (state)
        {
            case State.ValueString:
                if (escape)
                {
                    output.Length--;
                }
                else if (hexDigits >= 0)
                {
                    output.Length -= 2 + hexDigits;
                }

                DropDanglingHighSurrogate(output);
                output.Append('"');
                break;
            case State.Number:
                while (output.Length > scalarStart && output[^1] is '-' or '+' or '.' or 'e' or 'E')
                {
                    output.Length--;
                }

                cut = output.Length == scalarStart;
                break;
            case State.Literal:
                cut = !IsCompleteLiteral(output, scalarStart);
                break;
            case State.AfterValue:
                break;
            default:
                // A key, a colon or a comma with no value after it yet.
                cut = true;
                break;
        }

        if (cut)
        {
            output.Length = _frames[^1].CommitLength;
        }

        for (var f = _frames.Count - 1; f >= 0; f--)
        {
            output.Append(_frames[f].IsObject ? '}' : ']');
        }
    }

    /// <summary>Drops a high surrogate (raw, or as a <c>\uD8xx</c> escape) whose low half has not arrived yet.</summary>
    private static void DropDanglingHighSurrogate(StringBuilder output)
    {
        if (output.Length > 0 && char.IsHighSurrogate(output[^1]))
        {
            output.Length--;
            return;
        }

        if (output.Length < 7 || output[^6] != '\\' || output[^5] != 'u')
        {
            return;
        }

        var backslashes = 0;
        for (var k = output.Length - 6; k >= 0 && output[k] == '\\'; k--)
        {
            backslashes++;
        }

        Span<char> hex = [output[^4], output[^3], output[^2], output[^1]];
        if (backslashes % 2 == 1
            && int.TryParse(hex, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var code)
            && char.IsHighSurrogate((char)code))
        {
            output.Length -= 6;
        }
    }

    private record struct Frame(bool IsObject, int CommitLength);
}

/// <summary>Reads streamed chat response chunks and yields a snapshot of the JSON value received so far each time it
/// changes.</summary>
internal sealed class JsonSnapshotReader
{
    private readonly StringBuilder _text = new();
    private readonly PartialJson _json = new();

    /// <summary>Gets all the text read so far.</summary>
    public string Text => _text.ToString();

    /// <summary>Reads the chunks, yielding the completed JSON value whenever it differs from the previous one.</summary>
    public async IAsyncEnumerable<JsonElement> ReadAsync(IAsyncEnumerable<ChatResponse> input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        JsonElement? last = null;
        await foreach (var chunk in input.WithCancellation(cancellationToken))
        {
            if (chunk?.Text is not { Length: > 0 } delta)
            {
                continue;
            }

            _text.Append(delta);
            if (_json.TryParsePartial(_text.ToString(), out var snapshot) && (last is not { } previous || !JsonElement.DeepEquals(previous, snapshot)))
            {
                last = snapshot;
                yield return snapshot;
            }
        }
    }
}
