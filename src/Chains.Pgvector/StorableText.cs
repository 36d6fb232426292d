using System.Globalization;
using Chains.Indexes;

namespace Chains.Pgvector;

/// <summary>
/// Finds text PostgreSQL cannot store, before anything is sent: a NUL character (<c>text</c> and <c>jsonb</c> cannot
/// hold it) or an unpaired UTF-16 surrogate (not Unicode, so it has no UTF-8 form). Without this check the first would
/// fail the statement on the server and the second the client's encoder, mid-batch and with a message that names
/// neither the record nor the field.
/// </summary>
internal static class StorableText
{
    /// <summary>Describes what in a document's id, content, source or metadata cannot be stored.</summary>
    /// <param name="document">The document.</param>
    /// <returns><see langword="null"/> when everything can be stored; otherwise the field and the problem.</returns>
    public static string? Problem(Document document)
    {
        if (Problem(document.Id) is { } id)
        {
            return "an id with " + id;
        }

        if (Problem(document.Content) is { } content)
        {
            return "content with " + content;
        }

        if (document.Source is { } source && Problem(source) is { } inSource)
        {
            return "a source with " + inSource;
        }

        foreach (var (key, value) in document.Metadata)
        {
            if (Problem(key) is { } inKey)
            {
                return "a metadata key with " + inKey;
            }

            var problem = value switch
            {
                string s => Problem(s),
                string[] list => list.Select(Problem).FirstOrDefault(p => p is not null),
                _ => null,
            };
            if (problem is not null)
            {
                return $"a value of metadata '{key}' with {problem}";
            }
        }

        return null;
    }

    /// <summary>Describes what in a string cannot be stored.</summary>
    /// <param name="value">The string.</param>
    /// <returns><see langword="null"/> when it can be stored; otherwise the character and where it is.</returns>
    public static string? Problem(string value)
    {
        var span = value.AsSpan();
        var nul = span.IndexOf('\0');
        var surrogate = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        while (surrogate >= 0 && (nul < 0 || surrogate < nul))
        {
            if (char.IsHighSurrogate(span[surrogate]) && surrogate + 1 < span.Length && char.IsLowSurrogate(span[surrogate + 1]))
            {
                var next = span[(surrogate + 2)..].IndexOfAnyInRange('\uD800', '\uDFFF');
                surrogate = next < 0 ? -1 : surrogate + 2 + next;
                continue;
            }

            return string.Create(CultureInfo.InvariantCulture, $"an unpaired surrogate U+{(int)span[surrogate]:X4} at index {surrogate} (not valid Unicode; replace it, e.g. with U+FFFD)");
        }

        return nul < 0 ? null : string.Create(CultureInfo.InvariantCulture, $"a NUL character at index {nul} (PostgreSQL text cannot hold it; remove it)");
    }
}
