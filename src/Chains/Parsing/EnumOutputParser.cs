using System.ComponentModel;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Chains.Parsing;

/// <summary>
/// Parses a model's answer into one member of <typeparamref name="TEnum"/>: the answer may be the name alone (any case,
/// in quotes or followed by punctuation) or prose in which exactly one member is named.
/// </summary>
/// <typeparam name="TEnum">The enum type.</typeparam>
/// <remarks>
/// <para>A member is recognized by its name, by its <see cref="JsonStringEnumMemberNameAttribute"/> name and by its
/// <see cref="DescriptionAttribute"/> text, case-insensitively; the name also matches with spaces, <c>_</c> or <c>-</c>
/// between its words (<c>very positive</c> for <c>VeryPositive</c>). In prose, Latin names must stand as whole words
/// (<c>positive</c> is not found in <c>VeryPositive</c>), while Chinese aliases match anywhere (<c>情感是积极的</c>).
/// A name that is part of a longer name found at the same place does not count.</para>
/// <para>The answer is rejected with an <see cref="OutputParserException"/> when no member or more than one is named.</para>
/// </remarks>
public sealed class EnumOutputParser<TEnum> : OutputParser<TEnum>
    where TEnum : struct, Enum
{
    private static readonly (TEnum Value, string Display, string[] Aliases)[] Members = LoadMembers();

    private static readonly string Choices = string.Join(", ", Members.Select(m => m.Display));

    /// <summary>Gets instructions listing the allowed answers.</summary>
    public override string FormatInstructions => $"Answer with exactly one of these values and nothing else: {Choices}.";

    /// <summary>Finds the one member of <typeparamref name="TEnum"/> named in <paramref name="text"/>.</summary>
    /// <param name="text">The answer text.</param>
    /// <returns>The member.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="OutputParserException">No member, or more than one, is named.</exception>
    public override TEnum Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bare = TextMatching.TrimPunctuation(text);
        foreach (var member in Members)
        {
            foreach (var alias in member.Aliases)
            {
                if (bare.Equals(alias, StringComparison.OrdinalIgnoreCase) || SameIgnoringSeparators(bare, alias))
                {
                    return member.Value;
                }
            }
        }

        var found = new List<(int Start, int Length, int Tag)>();
        for (var m = 0; m < Members.Length; m++)
        {
            foreach (var alias in Members[m].Aliases)
            {
                TextMatching.FindWords(text, alias, m, found);
            }
        }

        var named = TextMatching.Outermost(found).Select(f => f.Tag).Distinct().ToArray();
        return named.Length switch
        {
            1 => Members[named[0]].Value,
            0 => throw new OutputParserException($"Expected one of {Choices} for {typeof(TEnum).Name}, but the answer names none of them.", text, typeof(TEnum)),
            _ => throw new OutputParserException(
                $"Expected exactly one of {Choices} for {typeof(TEnum).Name}, but the answer names {string.Join(" and ", named.Select(i => Members[i].Display))}.",
                text,
                typeof(TEnum)),
        };
    }

    private static bool SameIgnoringSeparators(ReadOnlySpan<char> text, string name)
    {
        var n = 0;
        foreach (var c in text)
        {
            if (c is ' ' or '_' or '-')
            {
                continue;
            }

            if (n == name.Length || char.ToUpperInvariant(c) != char.ToUpperInvariant(name[n]))
            {
                return false;
            }

            n++;
        }

        return n == name.Length;
    }

    private static (TEnum, string, string[])[] LoadMembers()
    {
        var members = new List<(TEnum, string, string[])>();
        foreach (var field in typeof(TEnum).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var jsonName = field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name;
            var description = field.GetCustomAttribute<DescriptionAttribute>()?.Description;
            var aliases = new[] { field.Name, jsonName, description }
                .Where(a => !string.IsNullOrWhiteSpace(a))
                .Select(a => a!.Trim())
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToArray();
            members.Add(((TEnum)field.GetValue(null)!, jsonName ?? field.Name, aliases));
        }

        return members.ToArray();
    }
}
