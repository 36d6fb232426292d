namespace Chains.Parsing;

/// <summary>
/// Parses a yes/no answer into a <see cref="bool"/>: by default <c>yes</c>/<c>true</c>/<c>是</c>/<c>对</c>/<c>正确</c>
/// mean <see langword="true"/> and <c>no</c>/<c>false</c>/<c>否</c>/<c>不是</c>/<c>错</c>/<c>不对</c>/<c>错误</c>/<c>不正确</c>
/// mean <see langword="false"/>.
/// </summary>
/// <remarks>
/// The words are matched case-insensitively anywhere in the answer (Latin words only as whole words), the longest
/// word winning where they overlap, so <c>不是</c> reads as no although it contains <c>是</c>. An answer with words of
/// both kinds (<c>No, that's true</c>) or neither is rejected with an <see cref="OutputParserException"/>.
/// </remarks>
public sealed class BooleanOutputParser : OutputParser<bool>
{
    private static readonly string[] DefaultTrueWords = ["yes", "true", "是", "对", "正确"];
    private static readonly string[] DefaultFalseWords = ["no", "false", "否", "不是", "错", "不对", "错误", "不正确"];

    private readonly string[] _trueWords;
    private readonly string[] _falseWords;

    /// <summary>Initializes a new instance of the <see cref="BooleanOutputParser"/> class.</summary>
    /// <param name="trueWords">Words that mean <see langword="true"/>; the first one is suggested in
    /// <see cref="FormatInstructions"/>. Default: <c>yes, true, 是, 对, 正确</c>.</param>
    /// <param name="falseWords">Words that mean <see langword="false"/>; the first one is suggested in
    /// <see cref="FormatInstructions"/>. Default: <c>no, false, 否, 不是, 错, 不对, 错误, 不正确</c>.</param>
    /// <exception cref="ArgumentException">A list is empty, holds an empty word, or a word is in both lists.</exception>
    public BooleanOutputParser(IEnumerable<string>? trueWords = null, IEnumerable<string>? falseWords = null)
    {
        _trueWords = Validate(trueWords, DefaultTrueWords, nameof(trueWords));
        _falseWords = Validate(falseWords, DefaultFalseWords, nameof(falseWords));
        if (_trueWords.Intersect(_falseWords, StringComparer.OrdinalIgnoreCase).FirstOrDefault() is { } both)
        {
            throw new ArgumentException($"The word \"{both}\" cannot mean both true and false.", nameof(falseWords));
        }
    }

    /// <summary>Gets instructions asking for the first true word or the first false word.</summary>
    public override string FormatInstructions => $"Answer with only \"{_trueWords[0]}\" or \"{_falseWords[0]}\".";

    /// <summary>Reads <paramref name="text"/> as yes or no.</summary>
    /// <param name="text">The answer text.</param>
    /// <returns><see langword="true"/> when only true words appear, <see langword="false"/> when only false words do.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="OutputParserException">The answer has words of both kinds or neither.</exception>
    public override bool Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<(int Start, int Length, int Tag)>();
        foreach (var word in _trueWords)
        {
            TextMatching.FindWords(text, word, 1, found);
        }

        foreach (var word in _falseWords)
        {
            TextMatching.FindWords(text, word, 0, found);
        }

        var values = TextMatching.Outermost(found).Select(f => f.Tag).Distinct().ToArray();
        return values.Length == 1
            ? values[0] == 1
            : throw new OutputParserException(
                values.Length == 0
                    ? $"Expected a yes/no answer ({string.Join(", ", _trueWords)} or {string.Join(", ", _falseWords)}), but found none of these words."
                    : "Expected a yes/no answer, but the answer has both true and false words.",
                text,
                typeof(bool));
    }

    private static string[] Validate(IEnumerable<string>? words, string[] defaults, string name)
    {
        if (words is null)
        {
            return defaults;
        }

        var list = words.Select(w => w?.Trim()).ToArray();
        if (list.Length == 0 || list.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Give at least one word, and no null or empty words.", name);
        }

        return list!;
    }
}
