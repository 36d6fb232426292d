using Chains.Indexes.Loaders;

namespace Chains.Indexes.Splitters;

/// <summary>Builds chunk documents the same way for every splitter: id, metadata and span derived from the parent.</summary>
internal static class ChunkFactory
{
    /// <summary>Creates the chunk <paramref name="index"/> of <paramref name="parent"/> covering
    /// <c>parent.Content[start..(start + length)]</c>.</summary>
    public static Document Create(Document parent, int index, int start, int length, DocumentMetadata? extra = null)
    {
        var metadata = parent.Metadata;
        if (extra is not null)
        {
            metadata = metadata.With(extra);
        }

        metadata = metadata.With(DocumentMetadataKeys.ChunkIndex, index);
        var span = parent.Span is { } outer ? new SourceSpan(outer.Start + start, length) : new SourceSpan(start, length);
        return new Document($"{parent.Id}#chunk-{index}", parent.Content.Substring(start, length), metadata, parent.Source, span);
    }

    /// <summary>Narrows <c>[start, end)</c> to exclude leading and trailing white space.</summary>
    public static (int Start, int End) Trim(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return (start, end);
    }
}
