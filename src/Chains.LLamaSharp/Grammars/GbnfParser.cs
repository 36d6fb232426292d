using System.Globalization;
using System.Text;

namespace Chains.LLamaSharp.Grammars;

/// <summary>
/// A managed parser and validator for GBNF that follows llama.cpp's grammar parser rule for rule (names, escapes,
/// where newlines may appear, repetition limits), then flattens the grammar the way llama.cpp does and runs the
/// checks that make llama.cpp return NULL — undefined rules, a missing root, left recursion — plus what llama.cpp
/// misses: left recursion through optional items and inverted repetition bounds (on which it loops), duplicate rules,
/// NUL characters, and a root that can never finish.
/// </summary>
internal sealed class GbnfParser
{
    /// <summary>llama.cpp's MAX_REPETITION_THRESHOLD.</summary>
    private const int MaxRepetition = 2000;

    private readonly string _text;
    private readonly int[] _cp;
    private readonly int[] _offsets;
    private readonly Dictionary<string, int> _symbols = new(StringComparer.Ordinal);
    private readonly List<List<List<Elem>>?> _rules = [];
    private readonly Dictionary<string, (int Line, int Column)> _defined = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> _firstReference = [];
    private int _pos;

    private GbnfParser(string text)
    {
        _text = text;
        var cps = new List<int>(text.Length + 1);
        var offsets = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            offsets.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cps.Add(char.ConvertToUtf32(text[i], text[i + 1]));
                i++;
            }
            else
            {
                cps.Add(text[i]);
            }
        }

        offsets.Add(text.Length);
        cps.Add(0);
        _cp = [.. cps];
        _offsets = [.. offsets];
    }

    private enum Kind
    {
        Terminal,
        RuleRef,
        Alt,
    }

    /// <summary>Parses and validates <paramref name="text"/>; returns the rule names in definition order.</summary>
    /// <exception cref="GbnfGrammarException">The grammar is invalid.</exception>
    public static IReadOnlyList<string> Validate(string text, string root = "root")
    {
        var parser = new GbnfParser(text);
        parser.Parse();
        parser.Check(root);
        return [.. parser._defined.Keys];
    }

    private int Cur => _cp[_pos];

    private int At(int offset) => _pos + offset < _cp.Length ? _cp[_pos + offset] : 0;

    private void Parse()
    {
        SkipSpace(newlineOk: true);
        if (Cur == 0)
        {
            throw Error("the grammar has no rules");
        }

        while (Cur != 0)
        {
            ParseRule();
        }
    }

    private void ParseRule()
    {
        var (line, column) = Position(_pos);
        var name = ParseName();
        SkipSpace(newlineOk: false);
        if (!(Cur == ':' && At(1) == ':' && At(2) == '='))
        {
            throw Error("expecting '::=' after the rule name");
        }

        _pos += 3;
        SkipSpace(newlineOk: true);
        if (_defined.ContainsKey(name))
        {
            throw new GbnfGrammarException($"rule '{name}' is defined twice", line, column);
        }

        _defined[name] = (line, column);
        var id = SymbolId(name);
        ParseAlternates(name, id, nested: false);
        if (Cur == '\r')
        {
            _pos += At(1) == '\n' ? 2 : 1;
        }
        else if (Cur == '\n')
        {
            _pos++;
        }
        else if (Cur != 0)
        {
            throw Error($"expecting a newline or the end of the grammar, found '{Describe(Cur)}' (unbalanced bracket or quote?)");
        }

        SkipSpace(newlineOk: true);
    }

    private void ParseAlternates(string ruleName, int ruleId, bool nested)
    {
        var rule = new List<List<Elem>>();
        rule.Add(ParseSequence(ruleName, nested));
        while (Cur == '|')
        {
            _pos++;
            SkipSpace(newlineOk: true);
            rule.Add(ParseSequence(ruleName, nested));
        }

        SetRule(ruleId, rule);
    }

    private List<Elem> ParseSequence(string ruleName, bool nested)
    {
        var seq = new List<Elem>();
        var lastSymStart = seq.Count;
        long prevRules = 1;
        while (Cur != 0)
        {
            if (Cur == '"')
            {
                var start = _pos;
                _pos++;
                lastSymStart = seq.Count;
                prevRules = 1;
                var chars = 0;
                while (Cur != '"')
                {
                    if (Cur == 0)
                    {
                        _pos = start;
                        throw Error("unterminated string literal (missing closing '\"')");
                    }

                    var c = ParseChar();
                    if (c == 0)
                    {
                        throw Error("a literal cannot contain NUL (\\x00): no token can produce it");
                    }

                    chars++;
                }

                // One terminal per character, as llama.cpp stores it.
                for (var i = 0; i < chars; i++)
                {
                    seq.Add(new Elem(Kind.Terminal, 0));
                }

                _pos++;
                SkipSpace(nested);
            }
            else if (Cur == '[')
            {
                var start = _pos;
                _pos++;
                if (Cur == '^')
                {
                    _pos++;
                }

                lastSymStart = seq.Count;
                prevRules = 1;
                while (Cur != ']')
                {
                    if (Cur == 0)
                    {
                        _pos = start;
                        throw Error("unterminated character class (missing ']')");
                    }

                    ParseChar();
                    if (Cur == '-' && At(1) != ']')
                    {
                        if (At(1) == 0)
                        {
                            _pos = start;
                            throw Error("unterminated character class (missing ']')");
                        }

                        _pos++;
                        ParseChar();
                    }
                }

                _pos++;
                seq.Add(new Elem(Kind.Terminal, 0));
                SkipSpace(nested);
            }
            else if (Cur is '<' or '!')
            {
                if (Cur == '!')
                {
                    _pos++;
                }

                ParseToken();
                lastSymStart = seq.Count;
                prevRules = 1;
                seq.Add(new Elem(Kind.Terminal, 0));
                SkipSpace(nested);
            }
            else if (IsWordChar(Cur))
            {
                var refPos = _pos;
                var name = ParseName();
                var id = SymbolId(name);
                _firstReference.TryAdd(id, refPos);
                SkipSpace(nested);
                lastSymStart = seq.Count;
                prevRules = 1;
                seq.Add(new Elem(Kind.RuleRef, id));
            }
            else if (Cur == '(')
            {
                var open = _pos;
                _pos++;
                SkipSpace(newlineOk: true);
                var before = _symbols.Count;
                var sub = GenerateSymbol(ruleName);
                ParseAlternates(ruleName, sub, nested: true);
                prevRules = Math.Max(1, _symbols.Count - before);
                lastSymStart = seq.Count;
                seq.Add(new Elem(Kind.RuleRef, sub));
                if (Cur != ')')
                {
                    _pos = open;
                    throw Error("unbalanced parenthesis: '(' is never closed");
                }

                _pos++;
                SkipSpace(nested);
            }
            else if (Cur == '.')
            {
                lastSymStart = seq.Count;
                prevRules = 1;
                seq.Add(new Elem(Kind.Terminal, 0));
                _pos++;
                SkipSpace(nested);
            }
            else if (Cur is '*' or '+' or '?')
            {
                var op = Cur;
                _pos++;
                SkipSpace(nested);
                var (min, max) = op switch { '*' => (0L, -1L), '+' => (1L, -1L), _ => (0L, 1L) };
                prevRules = Repeat(seq, lastSymStart, ruleName, min, max, prevRules);
            }
            else if (Cur == '{')
            {
                _pos++;
                SkipSpace(nested);
                if (!IsDigit(Cur))
                {
                    throw Error("expecting a number after '{'");
                }

                var min = ParseInt();
                SkipSpace(nested);
                long max;
                if (Cur == '}')
                {
                    max = min;
                    _pos++;
                    SkipSpace(nested);
                }
                else if (Cur == ',')
                {
                    _pos++;
                    SkipSpace(nested);
                    max = -1;
                    if (IsDigit(Cur))
                    {
                        max = ParseInt();
                        SkipSpace(nested);
                    }

                    if (Cur != '}')
                    {
                        throw Error("expecting '}' to close the repetition");
                    }

                    _pos++;
                    SkipSpace(nested);
                }
                else
                {
                    throw Error("expecting ',' or '}' in the repetition");
                }

                if (min > MaxRepetition)
                {
                    throw Error($"a repetition of at least {min} exceeds llama.cpp's limit of {MaxRepetition}");
                }

                if (max >= 0 && max < min)
                {
                    throw Error($"the repetition {{{min},{max}}} has its maximum below its minimum");
                }

                if (max > MaxRepetition)
                {
                    max = -1;
                }

                prevRules = Repeat(seq, lastSymStart, ruleName, min, max, prevRules);
            }
            else
            {
                break;
            }
        }

        return seq;
    }

    /// <summary>Rewrites the last symbol for a repetition exactly as llama.cpp's handle_repetitions does.</summary>
    private long Repeat(List<Elem> seq, int lastSymStart, string ruleName, long min, long max, long prevRules)
    {
        if (lastSymStart == seq.Count)
        {
            throw Error("a repetition operator (*, +, ?, {}) must follow an item");
        }

        var noMax = max < 0;
        long total = 1;
        if (!noMax && max > 0)
        {
            total = max;
        }
        else if (min > 0)
        {
            total = min;
        }

        if (prevRules * total >= MaxRepetition)
        {
            throw Error($"the repetition expands to {prevRules * total} rules, over llama.cpp's limit of {MaxRepetition}; repeat fewer times or simplify the repeated item");
        }

        var prev = seq.GetRange(lastSymStart, seq.Count - lastSymStart);
        if (min == 0)
        {
            seq.RemoveRange(lastSymStart, seq.Count - lastSymStart);
        }
        else
        {
            for (var i = 1; i < min; i++)
            {
                seq.AddRange(prev);
            }
        }

        var lastRec = -1;
        var nOpt = noMax ? 1 : max - min;
        for (var i = 0; i < nOpt; i++)
        {
            var recId = GenerateSymbol(ruleName);
            var alt = new List<Elem>(prev);
            if (i > 0 || noMax)
            {
                alt.Add(new Elem(Kind.RuleRef, noMax ? recId : lastRec));
            }

            SetRule(recId, [alt, []]);
            lastRec = recId;
        }

        if (nOpt > 0)
        {
            seq.Add(new Elem(Kind.RuleRef, lastRec));
        }

        return prevRules * total;
    }

    private void Check(string root)
    {
        for (var id = 0; id < _rules.Count; id++)
        {
            if (_rules[id] is null)
            {
                var name = _symbols.First(kv => kv.Value == id).Key;
                var (line, column) = _firstReference.TryGetValue(id, out var at) ? Position(at) : (0, 0);
                throw new GbnfGrammarException($"rule '{name}' is used but never defined", line, column);
            }
        }

        foreach (var (name, id) in _symbols)
        {
            if (id >= _rules.Count)
            {
                var (line, column) = _firstReference.TryGetValue(id, out var at) ? Position(at) : (0, 0);
                throw new GbnfGrammarException($"rule '{name}' is used but never defined", line, column);
            }
        }

        if (!_defined.ContainsKey(root))
        {
            throw new GbnfGrammarException($"the grammar has no '{root}' rule; generation starts from '{root}'");
        }

        var n = _rules.Count;

        // Nullable rules (those that can match the empty string), computed exactly: llama.cpp only notices direct empty
        // alternatives, and misses left recursion through an optional item (root ::= x? root), on which it loops forever.
        var nullable = new bool[n];
        bool grew;
        do
        {
            grew = false;
            for (var i = 0; i < n; i++)
            {
                if (!nullable[i] && _rules[i]!.Any(alt => alt.All(e => e.Kind == Kind.RuleRef && nullable[e.Value])))
                {
                    nullable[i] = true;
                    grew = true;
                }
            }
        }
        while (grew);

        var visited = new bool[n];
        var inProgress = new bool[n];
        for (var i = 0; i < n; i++)
        {
            if (!visited[i] && LeftRecursive(i, visited, inProgress, nullable))
            {
                throw new GbnfGrammarException($"rule '{NameOf(i)}' is left-recursive (it can reach itself before consuming any character), which llama.cpp does not support");
            }
        }

        // Productive rules: those that can derive a finite string. A root that cannot would never let generation end.
        var productive = new bool[n];
        bool changed;
        do
        {
            changed = false;
            for (var i = 0; i < n; i++)
            {
                if (!productive[i] && _rules[i]!.Any(alt => alt.All(e => e.Kind != Kind.RuleRef || productive[e.Value])))
                {
                    productive[i] = true;
                    changed = true;
                }
            }
        }
        while (changed);

        if (!productive[_symbols[root]])
        {
            throw new GbnfGrammarException($"rule '{root}' can never complete: every alternative recurses without end");
        }
    }

    /// <summary>Depth-first search over "may start with" edges (the leftmost references, and those after nullable ones).</summary>
    private bool LeftRecursive(int index, bool[] visited, bool[] inProgress, bool[] nullable)
    {
        if (inProgress[index])
        {
            return true;
        }

        if (visited[index])
        {
            return false;
        }

        inProgress[index] = true;
        foreach (var alt in _rules[index]!)
        {
            foreach (var elem in alt)
            {
                if (elem.Kind != Kind.RuleRef)
                {
                    break;
                }

                if (LeftRecursive(elem.Value, visited, inProgress, nullable))
                {
                    return true;
                }

                if (!nullable[elem.Value])
                {
                    break;
                }
            }
        }

        inProgress[index] = false;
        visited[index] = true;
        return false;
    }

    private string NameOf(int id) => _symbols.First(kv => kv.Value == id).Key;

    private void SetRule(int id, List<List<Elem>> rule)
    {
        while (_rules.Count <= id)
        {
            _rules.Add(null);
        }

        _rules[id] = rule;
    }

    private int SymbolId(string name)
    {
        if (!_symbols.TryGetValue(name, out var id))
        {
            id = _symbols.Count;
            _symbols[name] = id;
        }

        return id;
    }

    private int GenerateSymbol(string baseName)
    {
        var id = _symbols.Count;
        _symbols[baseName + "_" + id.ToString(CultureInfo.InvariantCulture)] = id;
        return id;
    }

    private string ParseName()
    {
        var start = _pos;
        while (IsWordChar(Cur))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw Error($"expecting a rule name, found '{Describe(Cur)}' (names use letters, digits and '-'; a continued alternative must be inside parentheses)");
        }

        return _text[_offsets[start].._offsets[_pos]];
    }

    private long ParseInt()
    {
        var start = _pos;
        while (IsDigit(Cur))
        {
            _pos++;
        }

        var digits = _text[_offsets[start].._offsets[_pos]];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : long.MaxValue;
    }

    private int ParseChar()
    {
        if (Cur == '\\')
        {
            var escape = At(1);
            switch (escape)
            {
                case 'x':
                    _pos += 2;
                    return ParseHex(2);
                case 'u':
                    _pos += 2;
                    return ParseHex(4);
                case 'U':
                    _pos += 2;
                    return ParseHex(8);
                case 't':
                    _pos += 2;
                    return '\t';
                case 'r':
                    _pos += 2;
                    return '\r';
                case 'n':
                    _pos += 2;
                    return '\n';
                case '\\' or '"' or '[' or ']' or '-':
                    _pos += 2;
                    return escape;
                case 0:
                    throw Error("the grammar ends inside an escape sequence");
                default:
                    throw Error($"unknown escape '\\{Describe(escape)}' (use \\n \\r \\t \\\\ \\\" \\[ \\] \\- \\xHH \\uHHHH \\UHHHHHHHH)");
            }
        }

        if (Cur == 0)
        {
            throw Error("unexpected end of the grammar");
        }

        return _cp[_pos++];
    }

    private int ParseHex(int digits)
    {
        var start = _pos;
        var value = 0;
        for (var i = 0; i < digits; i++)
        {
            var c = Cur;
            int d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => -1,
            };
            if (d < 0)
            {
                _pos = start;
                throw Error($"expecting {digits} hex digits in the escape");
            }

            value = (value << 4) | d;
            _pos++;
        }

        return value;
    }

    private void ParseToken()
    {
        if (Cur != '<')
        {
            throw Error("expecting '<' to start a token reference");
        }

        _pos++;
        if (Cur == '[')
        {
            _pos++;
            if (!IsDigit(Cur))
            {
                throw Error("expecting a token id in '<[id]>'");
            }

            ParseInt();
            if (Cur != ']' || At(1) != '>')
            {
                throw Error("expecting ']>' to close the token id");
            }

            _pos += 2;
            return;
        }

        while (Cur != 0 && Cur != '>')
        {
            _pos++;
        }

        if (Cur != '>')
        {
            throw Error("unterminated token reference (missing '>')");
        }

        _pos++;
    }

    private void SkipSpace(bool newlineOk)
    {
        while (Cur == ' ' || Cur == '\t' || Cur == '#' || (newlineOk && (Cur == '\r' || Cur == '\n')))
        {
            if (Cur == '#')
            {
                while (Cur != 0 && Cur != '\r' && Cur != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                _pos++;
            }
        }
    }

    private GbnfGrammarException Error(string message)
    {
        var (line, column) = Position(_pos);
        return new GbnfGrammarException(message, line, column);
    }

    private (int Line, int Column) Position(int cpIndex)
    {
        var offset = _offsets[Math.Min(cpIndex, _offsets.Length - 1)];
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }

    private static string Describe(int c) => c switch
    {
        0 => "end of grammar",
        '\n' => "\\n",
        '\r' => "\\r",
        _ => char.ConvertFromUtf32(c),
    };

    private static bool IsDigit(int c) => c is >= '0' and <= '9';

    private static bool IsWordChar(int c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '-' or (>= '0' and <= '9');

    private readonly record struct Elem(Kind Kind, int Value);
}

/// <summary>Writes GBNF literals and character-class members.</summary>
internal static class Gbnf
{
    /// <summary>Quotes <paramref name="text"/> as a GBNF string literal.</summary>
    public static string Literal(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var rune in text.EnumerateRunes())
        {
            AppendChar(sb, rune.Value, inClass: false);
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Appends one code point, escaped for a literal or a character class.</summary>
    public static void AppendChar(StringBuilder sb, int c, bool inClass)
    {
        switch (c)
        {
            case '"' when !inClass:
                sb.Append("\\\"");
                break;
            case '\\':
                sb.Append("\\\\");
                break;
            case '[' or ']' or '-' when inClass:
                sb.Append('\\').Append((char)c);
                break;
            case '\n':
                sb.Append("\\n");
                break;
            case '\r':
                sb.Append("\\r");
                break;
            case '\t':
                sb.Append("\\t");
                break;
            case < 0x20 or 0x7F:
                sb.Append("\\x").Append(c.ToString("X2", CultureInfo.InvariantCulture));
                break;
            default:
                sb.Append(char.ConvertFromUtf32(c));
                break;
        }
    }
}
